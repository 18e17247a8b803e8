using FlowLens.Api.Features.Sources;
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

/// <summary>A folder tree on the server: every <c>.log.gz</c>, <c>.log</c> and <c>.parquet</c> file below it.</summary>
public sealed class DirectoryStore(string root) : IObjectStore
{
    public Task<(IReadOnlyList<StoredObject> Objects, string? Checkpoint)> ListAsync(string? checkpoint, CancellationToken ct)
    {
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"the folder '{root}' does not exist");
        }
        // A folder is cheap to walk whole; its files' size and time make the etag, so a rewritten file is seen.
        IReadOnlyList<StoredObject> objects = new DirectoryInfo(root)
            .EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true })
            .Where(f => FlowLogFiles.IsFlowLog(f.Name))
            .Select(f => new StoredObject(
                Path.GetRelativePath(root, f.FullName).Replace(Path.DirectorySeparatorChar, '/'),
                $"{f.Length:x}-{f.LastWriteTimeUtc.Ticks:x}",
                f.Length,
                new DateTimeOffset(f.LastWriteTimeUtc, TimeSpan.Zero)))
            .OrderBy(o => o.Key, StringComparer.Ordinal)
            .ToList();
        return Task.FromResult((objects, (string?)null));
    }

    public Task<Stream> OpenAsync(string key, bool seekable, CancellationToken ct)
    {
        var path = Path.GetFullPath(Path.Combine(root, key));
        if (!path.StartsWith(Path.GetFullPath(root).TrimEnd('/') + "/", StringComparison.Ordinal))
        {
            throw new UnauthorizedAccessException($"'{key}' is outside the source's folder");
        }
        return Task.FromResult<Stream>(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true));
    }

    public void Dispose()
    {
    }
}
