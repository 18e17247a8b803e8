using FlowLens.Api.Tests.Infrastructure;
using static FlowLens.Api.Tests.Infrastructure.QueryData;

namespace FlowLens.Api.Tests.Features.Flows;

public sealed class CsvInjectionTests(PostgresFixture postgres)
{
    [Fact]
    public async Task CsvExport_NeutralisesFormulasInTextFields_AndKeepsNumbersAsTheyAre()
    {
        var ct = TestContext.Current.CancellationToken;
        using var folder = new FlowLogFolder();
        var start = DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeSeconds();
        // Whoever writes flow logs (or CloudWatch events) chooses the text fields: here, formulas a spreadsheet would run.
        folder.WriteGzip("evil/flows.log.gz",
            "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status vpc-id subnet-id instance-id\n" +
            $"3 @SUM(1+1) =HYPERLINK(\"http://evil.example\",\"x\") 10.0.0.1 10.0.0.2 443 49152 6 10 840 {start} {start + 60} ACCEPT OK +cmd|'/c,calc'!A0 -2+3 i-1\n");
        await using var app = await postgres.StartAppAsync(folder.Allow);
        await app.IngestAsync(await folder.CreateSourceAsync(app));

        var query = Query(DateTimeOffset.UtcNow.AddHours(-2), DateTimeOffset.UtcNow, ("format", "csv"));
        var csv = await app.CreateClient(FlowLensApp.AdminKey).GetStringAsync($"/api/flows?{query}", ct);

        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        var header = lines[0].Split(',');
        var row = lines[1];
        string Cell(string name) => CsvCells(row)[Array.IndexOf(header, name)];
        Assert.Equal("'@SUM(1+1)", Cell("account-id"));
        Assert.Equal("'=HYPERLINK(\"http://evil.example\",\"x\")", Cell("interface-id"));
        Assert.Equal("'+cmd|'/c,calc'!A0", Cell("vpc-id"));
        Assert.Equal("'-2+3", Cell("subnet-id"));
        // Numbers and addresses are untouched.
        Assert.Equal("840", Cell("bytes"));
        Assert.Equal("10.0.0.1", Cell("srcaddr"));
        Assert.Equal(start.ToString(System.Globalization.CultureInfo.InvariantCulture), Cell("start"));
        // No cell of the row starts a formula.
        Assert.All(CsvCells(row), cell => Assert.False(cell.Length > 0 && cell[0] is '=' or '+' or '-' or '@' or '\t' or '\r', cell));
    }

    /// <summary>The cells of one CSV line (RFC 4180 quoting), unquoted.</summary>
    internal static List<string> CsvCells(string line)
    {
        var cells = new List<string>();
        var cell = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted && c == '"' && i + 1 < line.Length && line[i + 1] == '"')
            {
                cell.Append('"');
                i++;
            }
            else if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == ',' && !quoted)
            {
                cells.Add(cell.ToString());
                cell.Clear();
            }
            else if (c != '\r' || quoted)
            {
                cell.Append(c);
            }
        }
        cells.Add(cell.ToString());
        return cells;
    }
}
