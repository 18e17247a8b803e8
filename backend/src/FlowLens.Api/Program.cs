using FlowLens.Api.Features.Auth;
using FlowLens.Api.Features.Frontend;
using FlowLens.Api.Features.Health;
using FlowLens.Api.Hosting;
using Serilog;

var builder = WebApplication.CreateBuilder(args);

builder.AddFlowLensLogging();
builder.AddFlowLensErrors();
builder.AddFlowLensDatabase();
builder.AddFlowLensAuth();
builder.AddFlowLensOpenApi();
builder.AddFlowLensJobs();

var app = builder.Build();

await app.MigrateDatabaseAsync();
await app.EnsureBootstrapKeyAsync();

app.UseSerilogRequestLogging();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseFrontendFiles();
app.UseFlowLensOpenApi();
app.UseAuthentication();
app.UseAuthorization();

app.MapHealth();
app.MapMe();
app.MapJobsDashboard();
app.MapFrontendFallback();

app.Run();

/// <summary>The entry point, visible to the API tests' WebApplicationFactory.</summary>
public partial class Program;
