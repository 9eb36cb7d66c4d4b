using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTrace.Core.Pipelines;

namespace OpenTrace.Core.Silver;

/// <summary>Where a laptop keeps its personal-data key when <see cref="PiiOptions.PiiKey"/> is not configured.</summary>
/// <param name="Path">The key file, created with a random key on first use (see <see cref="PiiKey.LoadOrCreateFile"/>).</param>
public sealed record LocalPiiKeyFile(string Path);

/// <summary>Registers silver.</summary>
public static class SilverServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="PiiOptions"/> and registers, as singletons: <see cref="PiiProtector"/> (its key from
    /// <c>OpenTrace:PiiKey</c>, else from a registered <see cref="LocalPiiKeyFile"/>; resolving it without either throws
    /// naming the setting), <see cref="SilverProcessor"/>, <see cref="SilverReplayer"/> and <see cref="QuarantineBrowser"/>.
    /// Nothing is checked at start; a host that runs silver adds <see cref="RequirePiiKeyAtStart"/>.
    /// </summary>
    public static IServiceCollection AddOpenTraceSilver(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<PiiOptions>().Bind(configuration.GetSection(PiiOptions.SectionName));
        services.TryAddSingleton(sp => new PiiProtector(ResolveKey(sp)));
        services.TryAddSingleton<SilverProcessor>();
        services.TryAddSingleton<SilverReplayer>();
        services.TryAddSingleton<QuarantineBrowser>();
        return services;
    }

    /// <summary>
    /// Makes the host refuse to start, with a message naming <c>OpenTrace:PiiKey</c>, when no key is configured (and no
    /// <see cref="LocalPiiKeyFile"/> is registered), and when any contract is wrong (naming its file and line).
    /// </summary>
    public static IServiceCollection RequirePiiKeyAtStart(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<PiiOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PiiOptions>, StartupValidator>());
        return services;
    }

    private static PiiKey ResolveKey(IServiceProvider services)
    {
        var configured = services.GetRequiredService<IOptions<PiiOptions>>().Value.PiiKey;
        if (string.IsNullOrWhiteSpace(configured) && services.GetService<LocalPiiKeyFile>() is { } file)
        {
            return PiiKey.LoadOrCreateFile(file.Path);
        }

        return PiiKey.FromSetting(configured);
    }

    private sealed class StartupValidator(IServiceProvider services) : IValidateOptions<PiiOptions>
    {
        public ValidateOptionsResult Validate(string? name, PiiOptions options)
        {
            try
            {
                if (string.IsNullOrWhiteSpace(options.PiiKey) && services.GetService<LocalPiiKeyFile>() is { } file)
                {
                    PiiKey.LoadOrCreateFile(file.Path);
                }
                else
                {
                    PiiKey.FromSetting(options.PiiKey);
                }

                services.GetService<PipelineCatalog>()?.LoadAllContracts();
                return ValidateOptionsResult.Success;
            }
            catch (Exception ex) when (ex is InvalidOperationException or OpenTraceException or IOException)
            {
                return ValidateOptionsResult.Fail(ex.Message);
            }
        }
    }
}
