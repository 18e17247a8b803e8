using FlowLens.Core.FlowLogs;

namespace FlowLens.Api.Features.Ingestion;

/// <summary>One object (file) version in a store.</summary>
public sealed record StoredObject(string Key, string ETag, long Size, DateTimeOffset LastModified);

/// <summary>Where a source's flow log objects live: an S3 bucket or a folder.</summary>
public interface IObjectStore : IDisposable
{
    /// <summary>The flow log objects to consider, and the checkpoint to resume from next time.</summary>
    Task<(IReadOnlyList<StoredObject> Objects, string? Checkpoint)> ListAsync(string? checkpoint, CancellationToken ct);

    /// <summary>The object's bytes; seekable when <paramref name="seekable"/> (Parquet needs it).</summary>
    Task<Stream> OpenAsync(string key, bool seekable, CancellationToken ct);
}

public static class ObjectStores
{
    public static IObjectStore For(Source source, SourceClients clients, ILogger logger) => source.Kind switch
    {
        SourceKinds.Directory => new DirectoryStore(source.Directory!.Path),
        SourceKinds.S3 => new S3Store(source.S3!, clients, logger),
        _ => throw new NotSupportedException($"sources of kind '{source.Kind}' cannot be read yet"),
    };
}

/// <summary>
/// A folder tree on the server: every <c>.log.gz</c>, <c>.log</c> and <c>.parquet</c> file below it. Whoever can
/// write in the folder can make links, so only files whose real path lies inside the root's real path are listed or
/// opened: a link (to a file or a folder) out of the root is skipped, a folder reached twice (a link loop) is walked
/// once, and keys are real paths relative to the root, so a file linked to from inside is one object.
/// </summary>
public sealed class DirectoryStore(string root) : IObjectStore
{
    public Task<(IReadOnlyList<StoredObject> Objects, string? Checkpoint)> ListAsync(string? checkpoint, CancellationToken ct)
    {
        var realRoot = Directory.Exists(root) ? RealPath(root) : null;
        if (realRoot is null)
        {
            throw new DirectoryNotFoundException($"the folder '{root}' does not exist");
        }
        // A folder is cheap to walk whole; its files' size and time make the etag, so a rewritten file is seen.
        var objects = new Dictionary<string, StoredObject>(StringComparer.Ordinal);
        var visited = new HashSet<string>(StringComparer.Ordinal) { realRoot };
        var folders = new Stack<string>([realRoot]);
        var options = new EnumerationOptions { IgnoreInaccessible = true };
        while (folders.TryPop(out var folder))
        {
            ct.ThrowIfCancellationRequested();
            foreach (var entry in new DirectoryInfo(folder).EnumerateFileSystemInfos("*", options))
            {
                // Folders walked are real paths, so an entry that is not a link is real too.
                var real = entry.LinkTarget is null ? entry.FullName : RealPath(entry.FullName);
                if (real is null || !IsInside(realRoot, real))
                {
                    continue; // dangling, a loop the kernel refuses (ELOOP), or out of the root
                }
                if (Directory.Exists(real))
                {
                    if (visited.Add(real))
                    {
                        folders.Push(real);
                    }
                    continue;
                }
                var file = new FileInfo(real);
                if (!FlowLogFiles.IsFlowLog(file.Name) || !file.Exists)
                {
                    continue;
                }
                var key = Path.GetRelativePath(realRoot, real).Replace(Path.DirectorySeparatorChar, '/');
                objects.TryAdd(key, new StoredObject(key, $"{file.Length:x}-{file.LastWriteTimeUtc.Ticks:x}", file.Length,
                    new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero)));
            }
        }
        IReadOnlyList<StoredObject> list = [.. objects.Values.OrderBy(o => o.Key, StringComparer.Ordinal)];
        return Task.FromResult((list, (string?)null));
    }

    public Task<Stream> OpenAsync(string key, bool seekable, CancellationToken ct)
    {
        var realRoot = RealPath(root) ?? throw new DirectoryNotFoundException($"the folder '{root}' does not exist");
        var path = RealPath(Path.Combine(realRoot, key));
        if (path is null || !IsInside(realRoot, path))
        {
            throw new UnauthorizedAccessException($"'{key}' is outside the source's folder");
        }
        if (new FileInfo(path).Length == 0)
        {
            // Nothing to read; and a FIFO (which anyone who can write here can make) reports no length and would block the open.
            return Task.FromResult<Stream>(new MemoryStream());
        }
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        // Checked again on what was opened: a link swapped in since the check above would have been followed.
        if (OpenedPath(stream) is { } opened && !IsInside(realRoot, opened))
        {
            stream.Dispose();
            throw new UnauthorizedAccessException($"'{key}' is outside the source's folder");
        }
        return Task.FromResult<Stream>(stream);
    }

    public void Dispose()
    {
    }

    private static bool IsInside(string realRoot, string real) =>
        real.Length > realRoot.Length && real.StartsWith(realRoot, StringComparison.Ordinal)
        && (real[realRoot.Length] == '/' || realRoot.EndsWith('/'));

    /// <summary>The path with every link resolved (the kernel's realpath), or null when it does not resolve.</summary>
    internal static string? RealPath(string path)
    {
        var resolved = realpath(path, IntPtr.Zero);
        if (resolved == IntPtr.Zero)
        {
            return null;
        }
        try
        {
            return System.Runtime.InteropServices.Marshal.PtrToStringUTF8(resolved);
        }
        finally
        {
            free(resolved);
        }
    }

    /// <summary>The real path of an open file, where the system says it (Linux's /proc/self/fd); null elsewhere.</summary>
    private static string? OpenedPath(FileStream stream)
    {
        var link = $"/proc/self/fd/{stream.SafeFileHandle.DangerousGetHandle()}";
        return File.Exists(link) ? new FileInfo(link).LinkTarget : null;
    }

    // DllImport, not LibraryImport: its generated code would need unsafe blocks; on Unix a string goes as UTF-8.
    [System.Runtime.InteropServices.DllImport("libc", CharSet = System.Runtime.InteropServices.CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern IntPtr realpath(string path, IntPtr resolved);

    [System.Runtime.InteropServices.DllImport("libc")]
    private static extern void free(IntPtr pointer);
}
