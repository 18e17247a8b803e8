using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace FlowLens.Api.Hosting;

/// <summary>
/// A property that holds an object or null (<c>allOf</c> its schema, <c>nullable</c>) says it is an object: OpenAPI 3.0
/// wants a <c>type</c> beside <c>nullable</c>, and linters and client generators stop at one without (#26).
/// </summary>
internal sealed class NullableObjectsFilter : IDocumentFilter
{
    public void Apply(OpenApiDocument document, DocumentFilterContext context)
    {
        var properties = document.Components?.Schemas?.Values.OfType<OpenApiSchema>().SelectMany(s => s.Properties?.Values ?? Enumerable.Empty<IOpenApiSchema>()) ?? [];
        foreach (var property in properties.OfType<OpenApiSchema>().Where(p => p.Type == JsonSchemaType.Null))
        {
            property.Type = JsonSchemaType.Object | JsonSchemaType.Null;
        }
    }
}
