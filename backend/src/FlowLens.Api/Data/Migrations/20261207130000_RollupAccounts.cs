using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace FlowLens.Api.Data.Migrations
{
    /// <inheritdoc />
    public partial class RollupAccounts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The rollups by account (#25): a caller scoped to accounts reads their totals and summaries. The account is
            // the records' account-id as a flow_strings id, as in the chunks; null for records without one. The totals are
            // summed again from the raw flows; the summaries' hours are marked dirty, so that the compaction rebuilds them
            // from the raw flows, per account (tops read those hours raw until then).
            migrationBuilder.Sql("""
                alter table flow_rollups_5m add column account_id integer;
                alter table flow_top_appended add column account_id integer;
                alter table flow_top_1h add column account_id integer;
                alter table flow_top_1d add column account_id integer;
                alter table flow_top_1h drop constraint flow_top_1h_pkey;
                alter table flow_top_1d drop constraint flow_top_1d_pkey;
                create unique index flow_top_1h_key on flow_top_1h (bucket, field, account_id) nulls not distinct;
                create unique index flow_top_1d_key on flow_top_1d (bucket, field, account_id) nulls not distinct;
                comment on column flow_rollups_5m.account_id is 'the records'' account-id (flow_strings id); null for records without one';
                comment on column flow_top_1h.account_id is 'the records'' account-id (flow_strings id): one summary per hour, field and account';

                delete from flow_rollups_5m;
                insert into flow_rollups_5m (bucket, action, log_status, protocol, account_id, records, bytes, packets, compacted)
                select date_bin('5 minutes', start, '2000-01-01 00:00:00+00'), action, log_status, protocol, account_id,
                    count(*), coalesce(sum(bytes), 0), coalesce(sum(packets), 0), true
                from flows where start is not null
                group by 1, 2, 3, 4, 5;
                insert into flow_top_dirty (bucket)
                select bucket from flow_top_1h union select bucket from flow_top_appended
                on conflict do nothing;
                delete from flow_top_appended;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // One summary per hour and field again: where accounts had their own, one is kept and the hour marked dirty
            // (rebuilt from the raw flows); the totals summed over the accounts.
            migrationBuilder.Sql("""
                insert into flow_top_dirty (bucket)
                select distinct a.bucket from flow_top_1h a join flow_top_1h b on a.bucket = b.bucket and a.field = b.field and a.ctid <> b.ctid
                union select distinct bucket from flow_top_appended where account_id is not null
                on conflict do nothing;
                delete from flow_top_1h a using flow_top_1h b where a.bucket = b.bucket and a.field = b.field and a.ctid > b.ctid;
                delete from flow_top_1d a using flow_top_1d b where a.bucket = b.bucket and a.field = b.field and a.ctid > b.ctid;
                drop index flow_top_1h_key;
                drop index flow_top_1d_key;
                alter table flow_top_1h drop column account_id, add constraint flow_top_1h_pkey primary key (bucket, field);
                alter table flow_top_1d drop column account_id, add constraint flow_top_1d_pkey primary key (bucket, field);
                alter table flow_top_appended drop column account_id;

                create temporary table totals_down on commit drop as
                select bucket, action, log_status, protocol, sum(records) as records, sum(bytes) as bytes, sum(packets) as packets, compacted
                from flow_rollups_5m group by bucket, action, log_status, protocol, compacted;
                delete from flow_rollups_5m;
                alter table flow_rollups_5m drop column account_id;
                insert into flow_rollups_5m (bucket, action, log_status, protocol, records, bytes, packets, compacted)
                select bucket, action, log_status, protocol, records, bytes, packets, compacted from totals_down;
                """);
        }
    }
}
