using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Npgsql;
using NpgsqlTypes;

namespace FlowLens.Api.Features.Notifications;

public static class ChannelKinds
{
    public const string Webhook = "webhook", Slack = "slack", Email = "email";

    public static bool IsValid(string? kind) => kind is Webhook or Slack or Email;
}

/// <summary>A channel's settings that may be shown: the webhook's format, the SMTP server and addresses.</summary>
/// <param name="Format">Webhook: <c>flowlens</c> (the notice) or <c>ocsf</c> (an OCSF Detection Finding).</param>
/// <param name="Security">Email: <c>starttls</c>, <c>tls</c> or <c>none</c>.</param>
public sealed record ChannelConfig(string? Format = null, string? Host = null, int? Port = null, string? Security = null, string? Username = null,
    string? From = null, IReadOnlyList<string>? To = null);

/// <summary>A channel's secrets, stored protected by ASP.NET Data Protection and never returned or logged.</summary>
/// <param name="Url">The webhook or Slack incoming-webhook URL (a Slack URL is its own credential).</param>
/// <param name="SigningSecret">The webhook's HMAC key.</param>
/// <param name="Password">The SMTP password.</param>
public sealed record ChannelSecret(string? Url = null, string? SigningSecret = null, string? Password = null);

public sealed record Channel(long Id, string Name, string Kind, bool Enabled, ChannelConfig Config, ChannelSecret Secret,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>Channels in the <c>channels</c> table; the secret part is protected before it is written and unprotected as read.</summary>
public sealed class ChannelStore(NpgsqlDataSource dataSource, IDataProtectionProvider protection)
{
    private readonly IDataProtector _protector = protection.CreateProtector("FlowLens.Notifications.ChannelSecret.v1");

    private const string Columns = "id, name, kind, enabled, config::text, secret, created_at, updated_at";

    public async Task<List<Channel>> ListAsync(CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"select {Columns} from channels order by name, id");
        return await ReadAllAsync(command, ct);
    }

    public async Task<Channel?> GetAsync(long id, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"select {Columns} from channels where id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        return (await ReadAllAsync(command, ct)).SingleOrDefault();
    }

    /// <returns>The channel stored, or <c>Conflict</c> when another has its name.</returns>
    public async Task<(Channel? Channel, bool Conflict)> InsertAsync(string name, string kind, bool enabled, ChannelConfig config, ChannelSecret secret, DateTimeOffset now, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"""
            insert into channels (name, kind, enabled, config, secret, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $6)
            returning {Columns}
            """);
        AddValues(command, name, kind, enabled, config, secret, now);
        return await SaveAsync(command, ct);
    }

    /// <returns>The channel stored (null when there is none of that id and kind), or <c>Conflict</c> when another has its name.</returns>
    public async Task<(Channel? Channel, bool Conflict)> UpdateAsync(long id, string kind, string name, bool enabled, ChannelConfig config, ChannelSecret secret, DateTimeOffset now, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"""
            update channels set name = $1, enabled = $3, config = $4, secret = $5, updated_at = $6 where id = $7 and kind = $2
            returning {Columns}
            """);
        AddValues(command, name, kind, enabled, config, secret, now);
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        return await SaveAsync(command, ct);
    }

    public async Task<Channel?> DeleteAsync(long id, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"delete from channels where id = $1 returning {Columns}");
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        return (await ReadAllAsync(command, ct)).SingleOrDefault();
    }

    private async Task<(Channel?, bool Conflict)> SaveAsync(NpgsqlCommand command, CancellationToken ct)
    {
        try
        {
            return ((await ReadAllAsync(command, ct)).SingleOrDefault(), false);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return (null, true);
        }
    }

    private void AddValues(NpgsqlCommand command, string name, string kind, bool enabled, ChannelConfig config, ChannelSecret secret, DateTimeOffset now)
    {
        command.Parameters.Add(new NpgsqlParameter { Value = name, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = kind, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = enabled });
        command.Parameters.Add(new NpgsqlParameter { Value = JsonSerializer.Serialize(config, Notifier.Json), NpgsqlDbType = NpgsqlDbType.Jsonb });
        command.Parameters.Add(new NpgsqlParameter { Value = _protector.Protect(JsonSerializer.Serialize(secret, Notifier.Json)), NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = now });
    }

    private async Task<List<Channel>> ReadAllAsync(NpgsqlCommand command, CancellationToken ct)
    {
        await using var r = await command.ExecuteReaderAsync(ct);
        var list = new List<Channel>();
        while (await r.ReadAsync(ct))
        {
            list.Add(new Channel(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetBoolean(3),
                JsonSerializer.Deserialize<ChannelConfig>(r.GetString(4), Notifier.Json)!,
                JsonSerializer.Deserialize<ChannelSecret>(_protector.Unprotect(r.GetString(5)), Notifier.Json)!,
                r.GetFieldValue<DateTimeOffset>(6), r.GetFieldValue<DateTimeOffset>(7)));
        }
        return list;
    }
}
