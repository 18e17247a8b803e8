using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace FlowLens.Api.Hosting;

/// <summary>
/// Marks every property of an answer required: the API writes each one, null included, so a generated client can
/// rely on it being there. Request bodies (<c>*Request</c>) are left alone: a client may omit their nullable fields;
/// so are ProblemDetails, which leave out what is null.
/// </summary>
internal sealed class RequiredPropertiesSchemaFilter : ISchemaFilter
{
    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        if (schema is OpenApiSchema { Properties.Count: > 0 } concrete && !context.Type.Name.EndsWith("Request", StringComparison.Ordinal)
            && !typeof(Microsoft.AspNetCore.Mvc.ProblemDetails).IsAssignableFrom(context.Type))
        {
            concrete.Required = new SortedSet<string>(concrete.Properties.Keys, StringComparer.Ordinal);
        }
    }
}
