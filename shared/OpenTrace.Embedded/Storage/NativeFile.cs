using System.Runtime.InteropServices;

namespace OpenTrace.Embedded.Storage;

/// <summary>File operations .NET does not offer atomically.</summary>
internal static partial class NativeFile
{
    private const int EEXIST = 17;

    /// <summary>
    /// Moves <paramref name="source"/> to <paramref name="destination"/> only when nothing exists there, atomically:
    /// of several concurrent callers exactly one succeeds. Returns false when the destination exists.
    /// </summary>
    /// <remarks>
    /// <see cref="File.Move(string, string, bool)"/> without overwrite checks and renames in two steps on Unix, so two
    /// creators can both "win". link(2) fails with EEXIST instead; the source name is removed afterwards.
    /// </remarks>
    public static bool MoveNoReplace(string source, string destination)
    {
        if (OperatingSystem.IsWindows())
        {
            try
            {
                File.Move(source, destination, overwrite: false); // MoveFileEx without REPLACE_EXISTING is atomic
                return true;
            }
            catch (IOException) when (File.Exists(destination) || Directory.Exists(destination))
            {
                return false;
            }
        }

        if (Link(source, destination) == 0)
        {
            File.Delete(source);
            return true;
        }

        var errno = Marshal.GetLastPInvokeError();
        if (errno == EEXIST)
        {
            return false;
        }

        // A file system without hard links: fall back to check-then-rename (writers in this process hold the bucket lock).
        if (File.Exists(destination) || Directory.Exists(destination))
        {
            return false;
        }

        File.Move(source, destination, overwrite: false);
        return true;
    }

    /// <summary>
    /// Gives the file <paramref name="existing"/> a second name, <paramref name="link"/> (a hard link; nothing is copied).
    /// Returns false when that cannot be done: another file system, no hard links, a name that exists, or Windows.
    /// </summary>
    public static bool TryLink(string existing, string link) =>
        !OperatingSystem.IsWindows() && Link(existing, link) == 0;

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string existingPath, string newPath);
}
