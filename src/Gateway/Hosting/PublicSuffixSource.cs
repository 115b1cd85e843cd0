using Gateway.Authentication.PublicSuffix;

namespace Gateway.Host.Hosting;

/// <summary>
/// The Public Suffix List, parsed once for the whole process and handed to everyone who needs organizational
/// domains (DMARC evaluation, aggregate reports). The shipped copy is parsed at first use; a file named by the
/// policy is parsed again only when a reload names another file or the file changed since it was read.
/// </summary>
internal sealed class PublicSuffixSource
{
    private readonly Lazy<PublicSuffixList> _embedded = new(PublicSuffixList.LoadEmbedded);
    private readonly Lock _gate = new();
    private LoadedFile? _file;

    /// <summary>The list at <paramref name="path"/>, or the shipped one for null. Throws what reading the file throws.</summary>
    public PublicSuffixList Get(string? path)
    {
        if (path is null)
        {
            return _embedded.Value;
        }

        var info = new FileInfo(path);
        var stamp = (info.Exists ? info.LastWriteTimeUtc : DateTime.MinValue, info.Exists ? info.Length : -1L);
        lock (_gate)
        {
            if (_file is { } cached && cached.Path == path && cached.Stamp == stamp)
            {
                return cached.List;
            }
        }

        var list = PublicSuffixList.LoadFile(path);
        lock (_gate)
        {
            _file = new LoadedFile(path, stamp, list);
        }

        return list;
    }

    private sealed record LoadedFile(string Path, (DateTime Modified, long Length) Stamp, PublicSuffixList List);
}
