using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTrace.Core.Configuration;
using OpenTrace.Core.Storage;
using OpenTrace.Core.Warehouse;

namespace OpenTrace.Core.Retrieval;

/// <summary>Registers question answering, search and embedding indexing.</summary>
public static class RetrievalServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="RetrievalOptions"/> from <see cref="RetrievalOptions.SectionName"/> (validated when the host
    /// starts; <paramref name="configure"/>, when given, adjusts them after binding) and registers singletons: <see cref="QaService"/>,
    /// <see cref="IRetrievalIndexSource"/> (<see cref="SnapshotIndexSource"/> over the lake bucket of
    /// <see cref="OpenTraceOptions"/>) and <see cref="EmbeddingIndexer"/> (the docs folder, plus silver review comments
    /// when <see cref="RetrievalOptions.IncludeReviews"/> and an <see cref="IWarehouse"/> is registered). The local
    /// <see cref="HashingTextEmbedder"/> and <see cref="ExtractiveAnswerGenerator"/> are registered only if no
    /// <see cref="ITextEmbedder"/> / <see cref="IAnswerGenerator"/> is (the Google Cloud adapters register Vertex AI).
    /// Needs an <see cref="IObjectStore"/>.
    /// </summary>
    public static IServiceCollection AddOpenTraceRetrieval(this IServiceCollection services, IConfiguration configuration, Action<RetrievalOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var options = services.AddOptions<RetrievalOptions>().Bind(configuration.GetSection(RetrievalOptions.SectionName));
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RetrievalOptions>>(new ThrowingOptionsValidator<RetrievalOptions>(options => options.Validate())));
        services.AddOptions<OpenTraceOptions>();

        services.TryAddSingleton<ITextEmbedder>(_ => new HashingTextEmbedder());
        services.TryAddSingleton<IAnswerGenerator, ExtractiveAnswerGenerator>();
        services.TryAddSingleton<IRetrievalIndexSource>(sp =>
        {
            var retrieval = sp.GetRequiredService<IOptions<RetrievalOptions>>().Value;
            return new SnapshotIndexSource(
                sp.GetRequiredService<IObjectStore>(),
                sp.GetRequiredService<IOptions<OpenTraceOptions>>().Value.LakeBucket,
                retrieval.Corpus,
                retrieval.SnapshotRefreshInterval,
                sp.GetService<TimeProvider>(),
                sp.GetService<ILogger<SnapshotIndexSource>>());
        });
        services.TryAddSingleton(sp => new QaService(
            sp.GetRequiredService<IRetrievalIndexSource>(),
            sp.GetRequiredService<ITextEmbedder>(),
            sp.GetRequiredService<IAnswerGenerator>(),
            sp.GetRequiredService<IOptions<RetrievalOptions>>().Value));
        services.TryAddSingleton(sp =>
        {
            var retrieval = sp.GetRequiredService<IOptions<RetrievalOptions>>().Value;
            var core = sp.GetRequiredService<IOptions<OpenTraceOptions>>().Value;
            return new EmbeddingIndexer(
                sp.GetRequiredService<IObjectStore>(),
                core.LakeBucket,
                retrieval.Corpus,
                sp.GetRequiredService<ITextEmbedder>(),
                Sources(retrieval, core, sp.GetService<IWarehouse>()),
                sp.GetService<TimeProvider>());
        });
        return services;
    }

    /// <summary>
    /// The corpus sources the settings describe: the docs folder (<see cref="RetrievalOptions.DocsPath"/>, else
    /// <c>&lt;pipelines&gt;/&lt;corpus&gt;/docs</c>) and, when <paramref name="warehouse"/> is given and reviews are
    /// included, the silver review comments.
    /// </summary>
    public static IReadOnlyList<ICorpusSource> Sources(RetrievalOptions retrieval, OpenTraceOptions core, IWarehouse? warehouse)
    {
        ArgumentNullException.ThrowIfNull(retrieval);
        ArgumentNullException.ThrowIfNull(core);
        var docs = retrieval.DocsPath ?? Path.Combine(core.ResolvePipelinesPath(), retrieval.Corpus, "docs");
        var sources = new List<ICorpusSource> { new MarkdownFolderSource(docs) };
        if (retrieval.IncludeReviews && warehouse is not null)
        {
            sources.Add(new ReviewCommentSource(warehouse, retrieval.Corpus, retrieval.MaxReviews));
        }

        return sources;
    }
}
