using System.Reflection;
using FlowLens.Api.Features.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace FlowLens.Api.Hosting;

/// <summary>
/// What a client generator needs of each operation (#26): a stable, verb-first <c>operationId</c> (the handler's
/// name, <c>ListKeys</c> → <c>listKeys</c>, or the endpoint's <c>WithName</c>), and every error it can answer, as
/// ProblemDetails: 400 when it takes parameters or a body, 401 unless anyone may call it, 403 for admins' endpoints,
/// 404 when its route names a resource, 409 when it declares one, 429 (every call is rate limited) and 503 (the
/// database down).
/// </summary>
internal sealed class OpenApiOperationsFilter : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        var metadata = context.ApiDescription.ActionDescriptor.EndpointMetadata;
        operation.OperationId = OperationIdOf(metadata) ?? operation.OperationId;
        var anonymous = metadata.OfType<IAllowAnonymous>().Any();
        var admin = metadata.OfType<IAuthorizeData>().Any(a => a.Policy == Policies.Admin);
        var route = context.ApiDescription.RelativePath ?? "";
        operation.Responses ??= [];
        if (operation.Parameters is { Count: > 0 } || operation.RequestBody is not null)
        {
            Add(operation, context, 400, "The request is not valid: `errors` names each parameter or field and what is wrong with it.", typeof(HttpValidationProblemDetails));
        }
        if (!anonymous)
        {
            Add(operation, context, 401, "No valid API key or session: a missing, wrong, expired or revoked key.");
        }
        if (admin)
        {
            Add(operation, context, 403, "The caller is not an admin.");
        }
        if (route.Contains('{', StringComparison.Ordinal))
        {
            Add(operation, context, 404, "Nothing with this id (or not in the caller's scope).");
        }
        if (operation.Responses.ContainsKey("409"))
        {
            Add(operation, context, 409, "It conflicts with what exists: a name already taken, or the last admin.");
        }
        Add(operation, context, 429, "Too many requests from this key, person or address, or too many queries at once: retry after `Retry-After` seconds.");
        Add(operation, context, 503, "The database did not answer (or is too busy): retry later.");
    }

    /// <summary>The endpoint's name when it has one, else its handler's name in camel case; null for a lambda.</summary>
    internal static string? OperationIdOf(IList<object> metadata)
    {
        if (metadata.OfType<IEndpointNameMetadata>().FirstOrDefault() is { } named)
        {
            return named.EndpointName;
        }
        var name = metadata.OfType<MethodInfo>().FirstOrDefault()?.Name;
        return name is null || name.Contains('<', StringComparison.Ordinal) ? null : char.ToLowerInvariant(name[0]) + name[1..];
    }

    /// <summary>Sets the status's answer to a ProblemDetails, unless the endpoint declared another body for it (Firehose's own).</summary>
    private static void Add(OpenApiOperation operation, OperationFilterContext context, int status, string description, Type? type = null)
    {
        var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (operation.Responses!.TryGetValue(key, out var declared) && declared.Content is { Count: > 0 } content && !content.ContainsKey("application/problem+json"))
        {
            return;
        }
        operation.Responses[key] = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/problem+json"] = new() { Schema = context.SchemaGenerator.GenerateSchema(type ?? typeof(ProblemDetails), context.SchemaRepository) },
            },
        };
    }
}
