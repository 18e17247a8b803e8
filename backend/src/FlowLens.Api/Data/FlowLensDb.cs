using FlowLens.Api.Features.Auth;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Npgsql;

namespace FlowLens.Api.Data;

/// <summary>The FlowLens schema. Flow rows are written with COPY and read with SQL; EF models the rest.</summary>
public sealed class FlowLensDb(DbContextOptions<FlowLensDb> options) : DbContext(options)
{
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();

    public static void Configure(DbContextOptionsBuilder options, NpgsqlDataSource dataSource) =>
        options.UseNpgsql(dataSource, npgsql => npgsql.MigrationsHistoryTable("__ef_migrations_history"))
            .UseSnakeCaseNamingConvention();

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.Entity<ApiKey>(key =>
        {
            key.Property(k => k.Name).HasMaxLength(200);
            key.Property(k => k.Prefix).HasMaxLength(16);
            key.Property(k => k.Role).HasMaxLength(16);
            key.HasIndex(k => k.Hash).IsUnique();
            key.ToTable(t => t.HasCheckConstraint("ck_api_keys_role", "role in ('viewer', 'admin')"));
        });
    }
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
