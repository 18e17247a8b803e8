using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace FlowLens.Api.Hosting;

/// <summary>
/// A property that holds an object or null says so the way linters and client generators both read (#26): a
/// <c>type</c> beside <c>nullable</c> (OpenAPI 3.0 wants one; Redocly stops at one without), and its schema as the
/// one item of <c>oneOf</c>, not <c>allOf</c> (NSwag makes a class of its own, named after the property, of an
/// object typed <c>allOf</c> one schema; of <c>oneOf</c> one schema it uses that schema's class).
/// </summary>
internal sealed class NullableObjectsFilter : IDocumentFilter
{
    public void Apply(OpenApiDocument document, DocumentFilterContext context)
    {
        var properties = document.Components?.Schemas?.Values.OfType<OpenApiSchema>().SelectMany(s => s.Properties?.Values ?? Enumerable.Empty<IOpenApiSchema>()) ?? [];
        foreach (var property in properties.OfType<OpenApiSchema>().Where(p => p.Type == JsonSchemaType.Null))
        {
            property.Type = JsonSchemaType.Object | JsonSchemaType.Null;
            if (property.AllOf is { Count: 1 } one && property.OneOf is null or { Count: 0 })
            {
                property.OneOf = one;
                property.AllOf = null;
            }
        }
    }
}
