using FlowLens.Api.Features.Auth;
using FlowLens.Api.Hosting;
using FlowLens.Core.Context;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace FlowLens.Api.Features.Context;

/// <summary>Your networks: CIDR blocks admins name (<c>10.0.0.0/16 = prod</c>); the most specific one holding an address names it.</summary>
public static class NetworksApi
{
    public static void MapNetworks(this IEndpointRouteBuilder app)
    {
        var networks = app.MapGroup("/api/networks").WithTags("Networks");
        networks.MapGet("/", ListNetworks).RequireAuthorization(Policies.Viewer).WithSummary("Every named network, by address.");
        networks.MapPost("/", CreateNetwork).ProducesProblem(StatusCodes.Status409Conflict).RequireAuthorization(Policies.Admin).WithSummary("Names a network.");
        networks.MapPut("/{id:long}", UpdateNetwork).ProducesProblem(StatusCodes.Status409Conflict).RequireAuthorization(Policies.Admin).WithSummary("Replaces a network's block, name, role and tenant.");
        networks.MapDelete("/{id:long}", DeleteNetwork).RequireAuthorization(Policies.Admin).WithSummary("Removes a network.");
    }

    /// <param name="Cidr">The block, e.g. <c>10.0.0.0/16</c> or <c>2001:db8::/48</c>; an address alone is its /32 or /128. Host bits must be 0.</param>
    /// <param name="Name">What to call it, e.g. <c>prod</c> (1 to 100 characters).</param>
    /// <param name="Role">What it is for, e.g. <c>database</c> (optional).</param>
    /// <param name="Tenant">Whose it is, e.g. a team or customer (optional).</param>
    public sealed record NetworkRequest(string? Cidr, string? Name, string? Role, string? Tenant);

    public sealed record NetworkResponse(long Id, string Cidr, string Name, string? Role, string? Tenant, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

    private const string Columns = "id, cidr::text, name, role, tenant, created_at, updated_at";

    internal static async Task<Ok<List<NetworkResponse>>> ListNetworks(NpgsqlDataSource dataSource, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"select {Columns} from networks order by family(cidr), cidr");
        await using var reader = await command.ExecuteReaderAsync(ct);
        var list = new List<NetworkResponse>();
        while (await reader.ReadAsync(ct))
        {
            list.Add(Read(reader));
        }
        return TypedResults.Ok(list);
    }

    internal static async Task<Results<Created<NetworkResponse>, ValidationProblem, ProblemHttpResult>> CreateNetwork(
        NetworkRequest request, NpgsqlDataSource dataSource, AddressContext context, AuditLog audit, TimeProvider clock, CancellationToken ct)
    {
        if (Validate(request) is { } invalid)
        {
            return invalid;
        }
        var (cidr, name, role, tenant) = Normalise(request);
        var now = clock.GetUtcNow();
        var saved = await SaveAsync(dataSource, $"""
            insert into networks (cidr, name, role, tenant, created_at, updated_at) values ($1::cidr, $2, $3, $4, $5, $5)
            returning {Columns}
            """, ct, cidr, name, role, tenant, now);
        if (saved.Network is not { } network)
        {
            return saved.Problem!;
        }
        await context.RefreshAsync(force: false, ct);
        await audit.RecordAsync(AuditActions.NetworkCreated, Target(network), Detail(network), ct);
        return TypedResults.Created($"/api/networks/{network.Id}", network);
    }

    internal static async Task<Results<Ok<NetworkResponse>, ValidationProblem, ProblemHttpResult>> UpdateNetwork(
        long id, NetworkRequest request, NpgsqlDataSource dataSource, AddressContext context, AuditLog audit, TimeProvider clock, CancellationToken ct)
    {
        if (Validate(request) is { } invalid)
        {
            return invalid;
        }
        var (cidr, name, role, tenant) = Normalise(request);
        var saved = await SaveAsync(dataSource, $"""
            update networks set cidr = $1::cidr, name = $2, role = $3, tenant = $4, updated_at = $5 where id = $6
            returning {Columns}
            """, ct, cidr, name, role, tenant, clock.GetUtcNow(), id);
        if (saved.Problem is not null)
        {
            return saved.Problem;
        }
        if (saved.Network is not { } network)
        {
            return Problems.NotFound("network", id);
        }
        await context.RefreshAsync(force: false, ct);
        await audit.RecordAsync(AuditActions.NetworkUpdated, Target(network), Detail(network), ct);
        return TypedResults.Ok(network);
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> DeleteNetwork(
        long id, NpgsqlDataSource dataSource, AddressContext context, AuditLog audit, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"delete from networks where id = $1 returning {Columns}");
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            return Problems.NotFound("network", id);
        }
        var network = Read(reader);
        await reader.DisposeAsync();
        await context.RefreshAsync(force: false, ct);
        await audit.RecordAsync(AuditActions.NetworkDeleted, Target(network), Detail(network), ct);
        return TypedResults.NoContent();
    }

    private static ValidationProblem? Validate(NetworkRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        if (!Cidr.TryParse(request.Cidr, clearHostBits: false, out _, out var error))
        {
            errors["cidr"] = [error!];
        }
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Trim().Length > 100)
        {
            errors["name"] = ["A name of 1 to 100 characters is required."];
        }
        if (request.Role?.Trim().Length > 100)
        {
            errors["role"] = ["The role is at most 100 characters."];
        }
        if (request.Tenant?.Trim().Length > 100)
        {
            errors["tenant"] = ["The tenant is at most 100 characters."];
        }
        return errors.Count > 0 ? TypedResults.ValidationProblem(errors) : null;
    }

    private static (string Cidr, string Name, string? Role, string? Tenant) Normalise(NetworkRequest request)
    {
        Cidr.TryParse(request.Cidr, clearHostBits: false, out var network, out _);
        static string? Optional(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
        return (network.ToString(), request.Name!.Trim(), Optional(request.Role), Optional(request.Tenant));
    }

    private static async Task<(NetworkResponse? Network, ProblemHttpResult? Problem)> SaveAsync(NpgsqlDataSource dataSource, string sql, CancellationToken ct, params object?[] values)
    {
        await using var command = dataSource.CreateCommand(sql);
        foreach (var value in values)
        {
            var parameter = new NpgsqlParameter { Value = value ?? DBNull.Value };
            if (value is null or string)
            {
                parameter.NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text;
            }
            command.Parameters.Add(parameter);
        }
        try
        {
            await using var reader = await command.ExecuteReaderAsync(ct);
            return (await reader.ReadAsync(ct) ? Read(reader) : null, null);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return (null, TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict",
                detail: $"The network {values[0]} is named already."));
        }
    }

    private static NetworkResponse Read(NpgsqlDataReader r) => new(
        r.GetInt64(0), r.GetString(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4),
        r.GetFieldValue<DateTimeOffset>(5), r.GetFieldValue<DateTimeOffset>(6));

    private static string Target(NetworkResponse network) => $"network:{network.Cidr} (#{network.Id})";

    private static string Detail(NetworkResponse network) => $"name {network.Name}, role {network.Role ?? "-"}, tenant {network.Tenant ?? "-"}";
}
