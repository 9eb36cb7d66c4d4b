using System.Security.Cryptography;
using System.Text;

namespace OpenTrace.Core.Silver;

/// <summary>
/// Settings of the personal-data policy, bound from the <c>OpenTrace</c> section (environment
/// <c>OpenTrace__PiiKey</c>; on Cloud Run injected from Secret Manager).
/// </summary>
public sealed class PiiOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "OpenTrace";

    /// <summary>The setting's full name, for messages.</summary>
    public const string SettingName = "OpenTrace:PiiKey";

    /// <summary>
    /// The HMAC key of <c>pii: pseudonymize</c>, as text (at least <see cref="PiiKey.MinimumLength"/> characters).
    /// Null means "not configured": the silver function refuses to start, and the local runtime uses
    /// <see cref="PiiKey.LoadOrCreateFile"/>. Never put a key in the repository.
    /// </summary>
    public string? PiiKey { get; set; }
}

/// <summary>The secret behind pseudonymisation tokens. Tokens from two keys never match, so keep it stable.</summary>
public sealed class PiiKey
{
    /// <summary>Shortest accepted key text.</summary>
    public const int MinimumLength = 16;

    /// <summary>Name of the key file in the local state folder.</summary>
    public const string FileName = "pii.key";

    private readonly byte[] _bytes;

    private PiiKey(byte[] bytes) => _bytes = bytes;

    /// <summary>The key bytes (a copy).</summary>
    public ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>
    /// The key from its configured text. Throws <see cref="InvalidOperationException"/> naming
    /// <see cref="PiiOptions.SettingName"/> when it is missing or too short.
    /// </summary>
    public static PiiKey FromSetting(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new InvalidOperationException(
                $"Setting {PiiOptions.SettingName} is required (environment variable OpenTrace__PiiKey): the key that pseudonymizes personal data. In the cloud it comes from Secret Manager.");
        }

        if (text.Trim().Length < MinimumLength)
        {
            throw new InvalidOperationException($"Setting {PiiOptions.SettingName} is too short: use at least {MinimumLength} random characters.");
        }

        return new PiiKey(Encoding.UTF8.GetBytes(text.Trim()));
    }

    /// <summary>
    /// For a laptop: reads the key from <paramref name="path"/>, creating it first with 32 random bytes (Base64,
    /// readable by the owner only) when it does not exist. The same folder therefore always gives the same tokens.
    /// </summary>
    public static PiiKey LoadOrCreateFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            var text = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
            try
            {
                using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                }

                stream.Write(Encoding.UTF8.GetBytes(text));
            }
            catch (IOException) when (File.Exists(path))
            {
                // another process created it first; use theirs
            }
        }

        return FromSetting(File.ReadAllText(path));
    }
}
