using Npgsql;

namespace FlowLens.Api.Tests.Infrastructure;

public static class Sql
{
    /// <summary>The single value a query returns, with positional parameters ($1, $2...).</summary>
    public static async Task<T> ScalarAsync<T>(string connectionString, string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var p in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = p });
        }
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
