using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTrace.Core.Configuration;
using OpenTrace.Core.Documents;
using OpenTrace.Core.Retrieval;
using OpenTrace.Core.Storage;
using OpenTrace.Core.Warehouse;
using OpenTrace.Gcp.BigQuery;
using OpenTrace.Gcp.Firestore;
using OpenTrace.Gcp.Http;
using OpenTrace.Gcp.Storage;
using OpenTrace.Gcp.Vertex;

namespace OpenTrace.Gcp;

/// <summary>Registers the Google Cloud adapters behind the core ports.</summary>
public static partial class GcpServiceCollectionExtensions
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Binds <see cref="GcpOptions"/> and <see cref="OpenTraceOptions"/> from the <c>OpenTrace</c> section (with
    /// <c>GOOGLE_CLOUD_PROJECT</c>, <c>GOOGLE_CLOUD_REGION</c>, <c>STORAGE_EMULATOR_HOST</c> and
    /// <c>FIRESTORE_EMULATOR_HOST</c> as fallbacks), validates both when the host starts, and registers singletons:
    /// <see cref="IObjectStore"/> (<see cref="GcsObjectStore"/>), <see cref="IWarehouse"/> (<see cref="BigQueryWarehouse"/>),
    /// <see cref="IDocumentStore"/> (<see cref="FirestoreDocumentStore"/>) and <see cref="VertexAiClient"/>, each with
    /// its own <see cref="HttpClient"/>, plus <see cref="ITextEmbedder"/> (<see cref="VertexTextEmbedder"/>) and
    /// <see cref="IAnswerGenerator"/> (<see cref="GeminiAnswerGenerator"/>) over the Vertex AI client. Bucket names not configured default to <c>&lt;project&gt;-bronze</c>,
    /// <c>&lt;project&gt;-lake</c> and <c>&lt;project&gt;-models</c>.
    /// </summary>
    public static IServiceCollection AddGcpAdapters(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<GcpOptions>()
            .Bind(configuration.GetSection(GcpOptions.SectionName))
            .PostConfigure(o => ApplyEnvironment(o, configuration))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GcpOptions>, GcpOptionsValidator>());

        services.AddOptions<OpenTraceOptions>()
            .Bind(configuration.GetSection(OpenTraceOptions.SectionName))
            .PostConfigure(o => DeriveBuckets(o, configuration))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OpenTraceOptions>, BucketValidator>());

        services.TryAddSingleton<IAccessTokenSource, ApplicationDefaultTokenSource>();

        AddClient(services, nameof(GcsObjectStore));
        AddClient(services, nameof(BigQueryWarehouse));
        AddClient(services, nameof(FirestoreDocumentStore));
        AddClient(services, nameof(VertexAiClient));

        services.AddSingleton(sp =>
        {
            var options = Options(sp);
            var tokens = string.IsNullOrWhiteSpace(options.StorageEmulatorHost) ? sp.GetRequiredService<IAccessTokenSource>() : StaticTokenSource.None;
            return new GcsObjectStore(Client(sp, nameof(GcsObjectStore)), options, tokens);
        });
        services.AddSingleton<IObjectStore>(sp => sp.GetRequiredService<GcsObjectStore>());

        services.AddSingleton(sp => new BigQueryWarehouse(Client(sp, nameof(BigQueryWarehouse)), Options(sp), sp.GetRequiredService<IAccessTokenSource>()));
        services.AddSingleton<IWarehouse>(sp => sp.GetRequiredService<BigQueryWarehouse>());

        services.AddSingleton(sp =>
        {
            var options = Options(sp);
            var tokens = string.IsNullOrWhiteSpace(options.FirestoreEmulatorHost) ? sp.GetRequiredService<IAccessTokenSource>() : StaticTokenSource.FirestoreEmulatorOwner;
            return new FirestoreDocumentStore(Client(sp, nameof(FirestoreDocumentStore)), options, tokens, sp.GetService<TimeProvider>());
        });
        services.AddSingleton<IDocumentStore>(sp => sp.GetRequiredService<FirestoreDocumentStore>());

        services.AddSingleton(sp => new VertexAiClient(Client(sp, nameof(VertexAiClient)), Options(sp), sp.GetRequiredService<IAccessTokenSource>()));
        services.AddSingleton<ITextEmbedder>(sp => new VertexTextEmbedder(sp.GetRequiredService<VertexAiClient>(), Options(sp)));
        services.AddSingleton<IAnswerGenerator>(sp => new GeminiAnswerGenerator(sp.GetRequiredService<VertexAiClient>(), Options(sp)));
        return services;
    }

    private static void AddClient(IServiceCollection services, string name) =>
        services.AddHttpClient(name, c => c.Timeout = RequestTimeout)

            // The clients live as long as the adapters (singletons); pooled connections are recycled instead so DNS
            // changes are still seen.
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan);

    private static HttpClient Client(IServiceProvider sp, string name) => sp.GetRequiredService<IHttpClientFactory>().CreateClient(name);

    private static GcpOptions Options(IServiceProvider sp) => sp.GetRequiredService<IOptions<GcpOptions>>().Value;

    private static void ApplyEnvironment(GcpOptions options, IConfiguration configuration)
    {
        options.ProjectId = FirstSet(options.ProjectId, configuration["GOOGLE_CLOUD_PROJECT"]);
        options.Region = FirstSet(options.Region, configuration["GOOGLE_CLOUD_REGION"]);
        options.StorageEmulatorHost = FirstSet(options.StorageEmulatorHost, configuration["STORAGE_EMULATOR_HOST"]);
        options.FirestoreEmulatorHost = FirstSet(options.FirestoreEmulatorHost, configuration["FIRESTORE_EMULATOR_HOST"]);
    }

    private static void DeriveBuckets(OpenTraceOptions options, IConfiguration configuration)
    {
        var section = configuration.GetSection(OpenTraceOptions.SectionName);
        var project = FirstSet(section[nameof(GcpOptions.ProjectId)], configuration["GOOGLE_CLOUD_PROJECT"]);
        if (string.IsNullOrWhiteSpace(project))
        {
            return; // the GcpOptions validator names the missing project
        }

        if (section[nameof(OpenTraceOptions.BronzeBucket)] is null)
        {
            options.BronzeBucket = $"{project}-bronze";
        }

        if (section[nameof(OpenTraceOptions.LakeBucket)] is null)
        {
            options.LakeBucket = $"{project}-lake";
        }

        if (section[nameof(OpenTraceOptions.ModelsBucket)] is null)
        {
            options.ModelsBucket = $"{project}-models";
        }
    }

    private static string? FirstSet(string? value, string? fallback) => string.IsNullOrWhiteSpace(value) ? fallback : value;

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$")]
    private static partial Regex BucketName();

    private sealed class GcpOptionsValidator : IValidateOptions<GcpOptions>
    {
        public ValidateOptionsResult Validate(string? name, GcpOptions options)
        {
            var problems = options.Validate();
            return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
        }
    }

    private sealed class BucketValidator : IValidateOptions<OpenTraceOptions>
    {
        public ValidateOptionsResult Validate(string? name, OpenTraceOptions options)
        {
            try
            {
                options.Validate();
            }
            catch (InvalidOperationException e)
            {
                return ValidateOptionsResult.Fail(e.Message);
            }

            var problems = new List<string>();
            foreach (var (setting, bucket) in new[]
            {
                (nameof(OpenTraceOptions.BronzeBucket), options.BronzeBucket),
                (nameof(OpenTraceOptions.LakeBucket), options.LakeBucket),
                (nameof(OpenTraceOptions.ModelsBucket), options.ModelsBucket),
            })
            {
                if (!BucketName().IsMatch(bucket))
                {
                    problems.Add($"Setting {OpenTraceOptions.SectionName}:{setting} ('{bucket}') is not a valid Cloud Storage bucket name: 3-63 characters of a-z, 0-9, '-', '_' and '.', starting and ending with a letter or digit (environment variable {OpenTraceOptions.SectionName}__{setting}).");
                }
            }

            return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
        }
    }
}
