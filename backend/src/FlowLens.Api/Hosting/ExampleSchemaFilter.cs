using System.Reflection;
using System.Text.Json;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace FlowLens.Api.Hosting;

/// <summary>
/// Gives a response type's schema an example: the value of its static <c>Example</c> property, when it has one,
/// serialised as the API serialises it. Each feature keeps its examples next to its types.
/// </summary>
internal sealed class ExampleSchemaFilter : ISchemaFilter
{
    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        if (schema is OpenApiSchema concrete
            && context.Type.GetProperty("Example", BindingFlags.Public | BindingFlags.Static) is { } property
            && property.PropertyType == context.Type)
        {
            concrete.Example = JsonSerializer.SerializeToNode(property.GetValue(null), context.Type, JsonSerializerOptions.Web);
        }
    }
}
