using FlowLens.Api.Features.Audit;
using FlowLens.Api.Features.Auth;
using FlowLens.Api.Features.Context;
using FlowLens.Api.Features.Demo;
using FlowLens.Api.Features.Detections;
using FlowLens.Api.Features.Filters;
using FlowLens.Api.Features.Flows;
using FlowLens.Api.Features.Frontend;
using FlowLens.Api.Features.Health;
using FlowLens.Api.Features.Ingestion;
using FlowLens.Api.Features.Ingestion.Firehose;
using FlowLens.Api.Features.Metrics;
using FlowLens.Api.Features.Notifications;
using FlowLens.Api.Features.Searches;
using FlowLens.Api.Features.Settings;
using FlowLens.Api.Features.Sources;
using FlowLens.Api.Features.Stats;
using FlowLens.Api.Features.ThreatLists;
using FlowLens.Api.Features.TransitGateway;
using FlowLens.Api.Hosting;
using Serilog;

if (DemoData.IsCommand(args))
{
    return DemoData.Run(args);
}
if (DemoGeo.IsCommand(args))
{
    return DemoGeo.Run(args);
}

var builder = WebApplication.CreateBuilder(args);

builder.AddFlowLensLogging();
builder.AddFlowLensErrors();
builder.AddFlowLensDatabase();
builder.AddFlowLensAuth();
builder.AddFlowLensSecurity();
builder.AddFlowLensOpenApi();
builder.AddFlowLensJobs();
builder.AddFlowLensIngestion();
builder.AddFlowLensStats();
builder.AddFlowLensContext();
builder.AddFlowLensThreatLists();
builder.AddFlowLensDetections();
builder.AddFlowLensDemo();
builder.AddFlowLensMetrics();
builder.AddFlowLensNotifications();

var app = builder.Build();

await app.MigrateDatabaseAsync();
await app.EnsureDataProtectionKeyAsync();
await app.EnsureBootstrapKeyAsync();
await app.EnsureBootstrapAdminAsync();
await app.StartIngestionAsync();
app.StartContext();
await app.StartThreatListsAsync();

app.UseFlowLensForwardedHeaders();
app.UseSerilogRequestLogging();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseFlowLensSecurityHeaders();
app.UseFrontendFiles();
app.UseFlowLensOpenApi();
app.UseAuthentication();
app.UseRateLimiter();
app.UseFlowLensRateLimitHeaders();
app.UseFlowLensAntiforgery();
app.UseAuthorization();
app.UseFlowLensMetrics();

app.MapHealth();
app.MapMe();
app.MapSignIn();
app.MapSessions();
app.MapOidcSignIn();
app.MapUsers();
app.MapKeys();
app.MapAudit();
app.MapSettings();
app.MapSources();
app.MapFirehose();
app.MapFilter();
app.MapFlows();
app.MapFlowFeed();
app.MapStats();
app.MapTransitGateway();
app.MapNetworks();
app.MapContext();
app.MapThreatLists();
app.MapSearches();
app.MapChannels();
app.MapDetections();
app.MapJobsDashboard();
app.MapFlowLensMetrics();
app.MapFrontendFallback();

app.Run();
return 0;

/// <summary>The entry point, visible to the API tests' WebApplicationFactory.</summary>
public partial class Program;
