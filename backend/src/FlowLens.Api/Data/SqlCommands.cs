using Npgsql;

namespace FlowLens.Api.Data;

/// <summary>A statement with positional parameters (<c>$1</c>, <c>$2</c>…), run on the caller's connection and transaction.</summary>
public static class SqlCommands
{
    /// <summary>Runs one statement; returns the rows it touched.</summary>
    public static async Task<int> ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct, params object[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var p in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = p });
        }
        return await command.ExecuteNonQueryAsync(ct);
    }
}
