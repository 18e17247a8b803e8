using System.Net;
using FlowLens.Api.Features.Context;
using FlowLens.Api.Tests.Infrastructure;

namespace FlowLens.Api.Tests.Features.Context;

/// <summary>The inventory lookup's query. What it answers is tested with the job that fills the tables (InventoryTests).</summary>
public sealed class InventoryLookupTests(PostgresFixture postgres)
{
    [Fact]
    public async Task LookupSql_IsTheGoldenFile_AndReachesEachVersionThroughAnIndex()
    {
        GoldenSql.Assert("backend/tests/FlowLens.Api.Tests/Features/Context/sql/inventory-lookup.sql",
            "InventoryLookup: a batch of (address or ENI, time) keys, each the latest version valid then", InventoryLookup.Sql, []);

        await using var app = await postgres.StartAppAsync();
        await using var connection = new Npgsql.NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using (var off = new Npgsql.NpgsqlCommand("set enable_seqscan = off", connection))
        {
            await off.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }
        await using var explain = new Npgsql.NpgsqlCommand("explain " + InventoryLookup.Sql, connection);
        explain.Parameters.Add(new Npgsql.NpgsqlParameter { Value = new[] { IPAddress.Parse("10.0.1.10") } });
        explain.Parameters.Add(new Npgsql.NpgsqlParameter { Value = new string?[] { null } });
        explain.Parameters.Add(new Npgsql.NpgsqlParameter { Value = new[] { new DateTime(2026, 12, 1, 0, 0, 0, DateTimeKind.Utc) } });
        explain.Parameters.AddRange(FlowLens.Api.Features.Auth.CallerScope.InventoryParameters(FlowLens.Core.Scopes.AccessScope.Of(["111111111111"], null)));
        var plan = new List<string>();
        await using (var reader = await explain.ExecuteReaderAsync(TestContext.Current.CancellationToken))
        {
            while (await reader.ReadAsync(TestContext.Current.CancellationToken))
            {
                plan.Add(reader.GetString(0));
            }
        }
        var text = string.Join('\n', plan);
        Assert.All(new[] { "ix_inventory_addresses_address", "ix_inventory_interfaces_interface", "ix_inventory_resources_resource" },
            index => Assert.Contains(index, text));
    }
}
