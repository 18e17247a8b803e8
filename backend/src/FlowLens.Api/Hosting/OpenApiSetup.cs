using FlowLens.Api.Features.Auth;
using Microsoft.OpenApi;

namespace FlowLens.Api.Hosting;

public static class OpenApiSetup
{
    /// <summary>Swashbuckle: the document at /swagger/v1/swagger.json and the UI at /swagger, with the API-key scheme.</summary>
    public static void AddFlowLensOpenApi(this WebApplicationBuilder builder)
    {
        builder.Services.AddEndpointsApiExplorer();
        builder.Services.AddSwaggerGen(options =>
        {
            options.SwaggerDoc("v1", new OpenApiInfo
            {
                Title = "FlowLens API",
                Version = "v1",
                Description = "Search and aggregate AWS VPC Flow Logs. Send an API key in the X-Api-Key header.",
            });
            options.AddSecurityDefinition(ApiKeyAuthentication.SchemeName, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = ApiKeyAuthentication.HeaderName,
                Description = "A FlowLens API key.",
            });
            options.AddSecurityRequirement(document => new OpenApiSecurityRequirement
            {
                [new OpenApiSecuritySchemeReference(ApiKeyAuthentication.SchemeName, document)] = [],
            });
            // Precise enough to generate the frontend's types from: string vs string?, and nullable references.
            options.SupportNonNullableReferenceTypes();
            options.UseAllOfToExtendReferenceSchemas();
            options.SchemaFilter<RequiredPropertiesSchemaFilter>();
            options.SchemaFilter<ExampleSchemaFilter>();
            options.OperationFilter<OpenApiOperationsFilter>();
            options.DocumentFilter<OpenApiTagsFilter>();
            options.DocumentFilter<NullableObjectsFilter>();
            var xml = Path.Combine(AppContext.BaseDirectory, "FlowLens.Api.xml");
            if (File.Exists(xml))
            {
                options.IncludeXmlComments(xml);
            }
        });
    }

    public static void UseFlowLensOpenApi(this WebApplication app)
    {
        app.UseSwagger();
        app.UseSwaggerUI(options => options.DocumentTitle = "FlowLens API");
    }
}
