using Google.Apis.Auth.OAuth2;

namespace OpenTrace.Gcp.Http;

/// <summary>Supplies the OAuth access token sent with each request.</summary>
public interface IAccessTokenSource
{
    /// <summary>Returns a valid access token, or null to send no <c>Authorization</c> header (emulators).</summary>
    ValueTask<string?> GetAccessTokenAsync(CancellationToken cancellationToken = default);
}

/// <summary>
/// Application Default Credentials with the <c>cloud-platform</c> scope: the metadata server on Cloud Run, the key file
/// named by <c>GOOGLE_APPLICATION_CREDENTIALS</c>, or a <c>gcloud auth application-default login</c> on a laptop.
/// The credential is found on first use (not in the constructor) and caches and refreshes its token.
/// </summary>
public sealed class ApplicationDefaultTokenSource : IAccessTokenSource
{
    /// <summary>The OAuth scope for all Google Cloud APIs.</summary>
    public const string CloudPlatformScope = "https://www.googleapis.com/auth/cloud-platform";

    private readonly Lazy<Task<ITokenAccess>> _credential = new(LoadAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <inheritdoc />
    public async ValueTask<string?> GetAccessTokenAsync(CancellationToken cancellationToken = default)
    {
        var credential = await _credential.Value.WaitAsync(cancellationToken);
        return await credential.GetAccessTokenForRequestAsync(authUri: null, cancellationToken);
    }

    private static async Task<ITokenAccess> LoadAsync()
    {
        try
        {
            var credential = await GoogleCredential.GetApplicationDefaultAsync(CancellationToken.None);
            return credential.CreateScoped(CloudPlatformScope);
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidOperationException(
                "No Google credentials found. On Cloud Run the service account is used; locally run `gcloud auth application-default login` " +
                "or set GOOGLE_APPLICATION_CREDENTIALS to a key file; for emulators set STORAGE_EMULATOR_HOST / FIRESTORE_EMULATOR_HOST.", e);
        }
    }
}

/// <summary>A fixed token (or none), for emulators and tests.</summary>
/// <param name="token">The token to send; null sends no <c>Authorization</c> header.</param>
public sealed class StaticTokenSource(string? token) : IAccessTokenSource
{
    /// <summary>The token the Firestore emulator accepts as an administrator, bypassing security rules.</summary>
    public static StaticTokenSource FirestoreEmulatorOwner { get; } = new("owner");

    /// <summary>No token at all (the Cloud Storage emulator convention).</summary>
    public static StaticTokenSource None { get; } = new(null);

    /// <inheritdoc />
    public ValueTask<string?> GetAccessTokenAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(token);
}
