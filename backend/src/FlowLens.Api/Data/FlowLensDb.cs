using System.Text.Json;
using FlowLens.Api.Features.Auth;
using FlowLens.Api.Features.Ingestion;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Design;
using Npgsql;

namespace FlowLens.Api.Data;

/// <summary>The FlowLens schema. Flow rows are written with COPY and read with SQL; EF models the rest.</summary>
public sealed class FlowLensDb(DbContextOptions<FlowLensDb> options)
    : IdentityUserContext<FlowLensUser, long>(options), IDataProtectionKeyContext
{
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<Session> Sessions => Set<Session>();
    public DbSet<Source> Sources => Set<Source>();
    public DbSet<SourceObject> SourceObjects => Set<SourceObject>();
    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();

    /// <summary>The ASP.NET Core Data Protection key ring (sign-in cookies, CSRF tokens, OIDC state), one for every node.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    public static void Configure(DbContextOptionsBuilder options, NpgsqlDataSource dataSource) =>
        options.UseNpgsql(dataSource, npgsql => npgsql.MigrationsHistoryTable("__ef_migrations_history"))
            .UseSnakeCaseNamingConvention();

    protected override void OnModelCreating(ModelBuilder model)
    {
        base.OnModelCreating(model);
        model.Entity<FlowLensUser>(user =>
        {
            user.ToTable("users");
            user.Property(u => u.Role).HasMaxLength(16);
            user.ToTable(t => t.HasCheckConstraint("ck_users_role", "role in ('viewer', 'admin')"));
        });
        model.Entity<Microsoft.AspNetCore.Identity.IdentityUserClaim<long>>().ToTable("user_claims");
        model.Entity<Microsoft.AspNetCore.Identity.IdentityUserLogin<long>>().ToTable("user_logins");
        model.Entity<Microsoft.AspNetCore.Identity.IdentityUserToken<long>>().ToTable("user_tokens");
        model.Entity<ApiKey>(key =>
        {
            key.Property(k => k.Name).HasMaxLength(200);
            key.Property(k => k.Prefix).HasMaxLength(16);
            key.Property(k => k.Role).HasMaxLength(16);
            key.HasIndex(k => k.Hash).IsUnique();
            key.Property(k => k.CreatedBy).HasMaxLength(300);
            // The key outlives its creator's row (revoked, it stays listed with who made it).
            key.HasOne<FlowLensUser>().WithMany().HasForeignKey(k => k.CreatedByUserId).OnDelete(DeleteBehavior.SetNull);
            key.ToTable(t => t.HasCheckConstraint("ck_api_keys_role", "role in ('viewer', 'admin')"));
        });
        model.Entity<Session>(session =>
        {
            session.Property(s => s.Id).HasMaxLength(32);
            session.Property(s => s.Subject).HasMaxLength(300);
            session.Property(s => s.Role).HasMaxLength(16);
            session.Property(s => s.UserAgent).HasMaxLength(Session.MaxUserAgentLength);
            session.Property(s => s.RemoteAddress).HasMaxLength(64);
            session.HasOne(s => s.User).WithMany().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
            session.HasIndex(s => s.Subject);
            session.HasIndex(s => s.ExpiresAt);
        });
        model.Entity<AuditEvent>(audit =>
        {
            audit.Property(e => e.Actor).HasMaxLength(300);
            audit.Property(e => e.Action).HasMaxLength(50);
            audit.Property(e => e.Target).HasMaxLength(300);
            audit.Property(e => e.RemoteAddress).HasMaxLength(64);
            audit.HasIndex(e => new { e.Action, e.Id });
        });
        model.Entity<Source>(source =>
        {
            source.Property(s => s.Name).HasMaxLength(100);
            source.HasIndex(s => s.Name).IsUnique();
            source.Property(s => s.Kind).HasMaxLength(16);
            source.Property(s => s.Schedule).HasMaxLength(100);
            source.Property(s => s.State).HasMaxLength(16);
            source.Property(s => s.S3).HasColumnType("jsonb").HasConversion(Json<S3Settings?>());
            source.Property(s => s.Directory).HasColumnType("jsonb").HasConversion(Json<DirectorySettings?>());
            source.Property(s => s.CloudWatch).HasColumnType("jsonb").HasConversion(Json<CloudWatchSettings?>());
            source.Property(s => s.Firehose).HasColumnType("jsonb").HasConversion(Json<FirehoseSettings?>());
            source.HasIndex(s => s.FirehoseKeyHash).IsUnique();
        });
        model.Entity<SourceObject>(o =>
        {
            o.Property(x => x.ETag).HasMaxLength(200);
            o.Property(x => x.State).HasMaxLength(16);
            o.HasIndex(x => new { x.SourceId, x.Key, x.ETag }).IsUnique();
            o.HasIndex(x => new { x.SourceId, x.State, x.Id });
            o.HasOne<Source>().WithMany().HasForeignKey(x => x.SourceId).OnDelete(DeleteBehavior.Cascade);
            o.Property(x => x.SampleErrors).HasColumnType("jsonb").HasConversion(Json<List<BadLine>>(),
                new ValueComparer<List<BadLine>>((a, b) => a!.SequenceEqual(b!), v => v.Count, v => v.ToList()));
        });
    }

    private static Microsoft.EntityFrameworkCore.Storage.ValueConversion.ValueConverter<T, string> Json<T>() => new(
        v => JsonSerializer.Serialize(v, JsonSerializerOptions.Web),
        s => JsonSerializer.Deserialize<T>(s, JsonSerializerOptions.Web)!);
}

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without starting the app.</summary>
internal sealed class DesignTimeFlowLensDb : IDesignTimeDbContextFactory<FlowLensDb>
{
    public FlowLensDb CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<FlowLensDb>();
        FlowLensDb.Configure(options, NpgsqlDataSource.Create("Host=localhost;Database=flowlens_design"));
        return new FlowLensDb(options.Options);
    }
}
