using System.Net.Http.Json;
using FlowLens.Api.Features.Auth;
using FlowLens.Api.Features.Filters;
using FlowLens.Api.Tests.Features.Stats;
using FlowLens.Api.Tests.Infrastructure;

namespace FlowLens.Api.Tests.Features.Filters;

/// <summary>GET /api/filter/values: completion of the context fields' values, from what FlowLens has stored.</summary>
public sealed class FilterValuesTests(EmptyApp empty) : IClassFixture<EmptyApp>
{
    private static bool _stored;
    private static readonly SemaphoreSlim Storing = new(1, 1);

    /// <summary>The networks, AWS ranges and inventory of <see cref="ContextTopsData"/>, and two security groups; once.</summary>
    private async Task<HttpClient> ViewerAsync()
    {
        var admin = empty.App.CreateClient(FlowLensApp.AdminKey);
        await Storing.WaitAsync();
        try
        {
            if (!_stored)
            {
                foreach (var (cidr, name) in ContextTopsData.Networks)
                {
                    (await admin.PostAsJsonAsync("/api/networks", new { cidr, name })).EnsureSuccessStatusCode();
                }
                (await admin.PostAsJsonAsync("/api/networks", new { cidr = "192.168.0.0/16", name = "Partner" })).EnsureSuccessStatusCode();
                var ranges = new
                {
                    syncToken = "1",
                    createDate = "2026-11-01-00-00-00",
                    prefixes = ContextTopsData.AwsRanges.Where(r => !r.Cidr.Contains(':')).Select(r => new { ip_prefix = r.Cidr, region = "eu-west-1", service = r.Service }),
                };
                (await admin.PostAsJsonAsync("/api/context/aws-ip-ranges", ranges)).EnsureSuccessStatusCode();
                var sourceId = await empty.App.ScalarAsync<long>("""
                    insert into sources (name, kind, enabled, schedule, created_at, updated_at, state)
                    values ('inventory', 's3', false, '0 * * * *', now(), now(), 'idle') returning id
                    """);
                await ContextTopsData.InsertInventoryAsync(empty.App.ConnectionString, sourceId);
                await empty.App.ScalarAsync<long>("""
                    with rows as (
                        insert into inventory_resources (source_id, region, resource_id, kind, name, attributes, valid_from)
                        values ($1, 'eu-west-1', 'sg-0aaa', 'security-group', 'web-public', '{"groupName": "launch-wizard-1"}', now()),
                            ($1, 'eu-west-1', 'sg-0bbb', 'security-group', null, '{"groupName": "Web-admin"}', now()),
                            ($1, 'eu-west-1', 'sg-0aaa', 'security-group', 'web-public', '{"groupName": "launch-wizard-1"}', '-infinity')
                        returning 1)
                    select count(*) from rows
                    """, sourceId);
                _stored = true;
            }
        }
        finally
        {
            Storing.Release();
        }
        return empty.App.CreateClient(await empty.App.CreateApiKeyAsync(Roles.Viewer));
    }

    [Theory]
    [InlineData("dst-network", "", "dns,lab,Partner,prod,prod-db,web")]
    [InlineData("src-network", "PROD", "prod,prod-db")]
    [InlineData("network", "p", "Partner,prod,prod-db")]
    [InlineData("dst-aws-service", "", "AMAZON,DYNAMODB,S3")]
    [InlineData("aws-service", "s", "S3")]
    [InlineData("dst-country", "c", "CA,CC,CD,CF,CG,CH,CI,CK,CL,CM,CN,CO,CR,CU,CV,CW,CX,CY,CZ")]
    [InlineData("src-country", "ie", "IE")]
    [InlineData("instance-name", "", "batch-new,batch-old,db-after,db-before,late,nat-a,web-0,web-1,web-2")]
    [InlineData("instance-name", "WEB-", "web-0,web-1,web-2")]
    [InlineData("security-group", "", "launch-wizard-1,sg-0aaa,sg-0bbb,Web-admin,web-public")]
    [InlineData("security-group", "web", "Web-admin,web-public")]
    [InlineData("security-group", "nothing", "")]
    public async Task Values_StartWithThePrefix_InAnyCase_SortedAndOnce(string field, string prefix, string expected)
    {
        var viewer = await ViewerAsync();
        var values = await viewer.GetFromJsonAsync<FilterApi.FilterValues>(
            $"/api/filter/values?field={field}&prefix={Uri.EscapeDataString(prefix)}&limit=100", TestContext.Current.CancellationToken);
        Assert.Equal(field, values!.Field);
        Assert.Equal(expected.Split(',', StringSplitOptions.RemoveEmptyEntries), values.Values);
    }

    [Fact]
    public async Task Values_AreAtMostTheLimit_TwentyByDefault()
    {
        var viewer = await ViewerAsync();
        var ct = TestContext.Current.CancellationToken;
        var countries = await viewer.GetFromJsonAsync<FilterApi.FilterValues>("/api/filter/values?field=country", ct);
        Assert.Equal(["AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ", "BA", "BB", "BD", "BE"], countries!.Values);
        Assert.Equal(250, FilterApi.CountryCodes.Count); // ISO 3166-1's 249 and XK
        Assert.Equal(FilterApi.CountryCodes.Order(StringComparer.Ordinal), FilterApi.CountryCodes);
        var two = await viewer.GetFromJsonAsync<FilterApi.FilterValues>("/api/filter/values?field=instance-name&prefix=&limit=2", ct);
        Assert.Equal(["batch-new", "batch-old"], two!.Values);
    }

    [Theory]
    [InlineData("/api/filter/values", "field")]
    [InlineData("/api/filter/values?field=nonsense", "field")]
    [InlineData("/api/filter/values?field=dstport", "field")]
    [InlineData("/api/filter/values?field=dst-asn", "field")]
    [InlineData("/api/filter/values?field=dst-country&limit=0", "limit")]
    [InlineData("/api/filter/values?field=dst-country&limit=101", "limit")]
    public async Task BadParameters_Answer400_NamingTheParameter(string url, string parameter)
    {
        var viewer = await ViewerAsync();
        await ProblemAssert.IsBadParameterAsync(await viewer.GetAsync(url, TestContext.Current.CancellationToken), parameter);
    }
}
