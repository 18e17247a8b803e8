using System.Net.Http.Json;
using FlowLens.Api.Features.Auth;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace FlowLens.Api.Tests.Infrastructure;

/// <summary>People in a browser: the bootstrap admin person, sign-in, the CSRF token, a copied session cookie.</summary>
public static class People
{
    public const string AdminEmail = "admin@example.org";
    public const string AdminPassword = "correct horse battery staple";

    /// <summary>Configures the first admin person.</summary>
    public static void WithBootstrapAdmin(IWebHostBuilder builder)
    {
        builder.UseSetting("FlowLens:Auth:BootstrapAdmin:Email", AdminEmail);
        builder.UseSetting("FlowLens:Auth:BootstrapAdmin:Password", AdminPassword);
    }

    public static async Task<HttpResponseMessage> SignInAsync(HttpClient person, string email, string password) =>
        await person.PostAsJsonAsync("/api/auth/sign-in", new { email, password }, TestContext.Current.CancellationToken);

    /// <summary>Adds the CSRF token a signed-in page sends with requests that change something.</summary>
    public static async Task UseCsrfTokenAsync(HttpClient person)
    {
        var token = await person.GetFromJsonAsync<SignInApi.CsrfToken>("/api/auth/csrf", TestContext.Current.CancellationToken);
        person.DefaultRequestHeaders.Remove(token!.HeaderName);
        person.DefaultRequestHeaders.Add(token.HeaderName, token.Token);
    }

    /// <summary>A browser on <paramref name="node"/>, signed in, with its CSRF token; and its session cookie (<c>flowlens=…</c>).</summary>
    public static async Task<(HttpClient Browser, string Cookie)> SignedInAsync(FlowLensApp node, string email, string password, string? userAgent = null)
    {
        var browser = node.CreateClient(apiKey: null);
        if (userAgent is not null)
        {
            browser.DefaultRequestHeaders.UserAgent.ParseAdd(userAgent);
        }
        var signedIn = await SignInAsync(browser, email, password);
        signedIn.EnsureSuccessStatusCode();
        await UseCsrfTokenAsync(browser);
        return (browser, signedIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("flowlens=", StringComparison.Ordinal)).Split(';')[0]);
    }

    /// <summary>A client of <paramref name="node"/> that sends a copy of a session cookie, and nothing else.</summary>
    public static HttpClient WithCookie(FlowLensApp node, string cookie)
    {
        var client = node.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false });
        client.DefaultRequestHeaders.Add("Cookie", cookie);
        return client;
    }

    /// <summary>Adds a person through the API with the bootstrap admin key; returns their id.</summary>
    public static async Task<long> CreateAsync(FlowLensApp node, string email, string role, string password)
    {
        var created = await node.CreateClient(FlowLensApp.AdminKey).PostAsJsonAsync("/api/users", new { email, role, password }, TestContext.Current.CancellationToken);
        created.EnsureSuccessStatusCode();
        return (await created.Content.ReadFromJsonAsync<UsersApi.UserResponse>(TestContext.Current.CancellationToken))!.Id;
    }
}
