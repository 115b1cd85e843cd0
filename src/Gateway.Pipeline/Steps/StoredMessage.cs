using Gateway.Abstractions;
using Gateway.Pipeline.Content;

namespace Gateway.Pipeline.Steps;

/// <summary>
/// The message as the spool holds it, for the steps to read without a second whole copy in memory: the header
/// section captured on its way to the spool, the whole content in memory only when the spool still has it there
/// (small messages), and otherwise streams over the spool file.
/// </summary>
public sealed class StoredMessage
{
    private readonly IInspectableMessageWriter _writer;
    private readonly HeaderSectionCapture _headers;

    internal StoredMessage(IInspectableMessageWriter writer, HeaderSectionCapture headers, long length)
    {
        _writer = writer;
        _headers = headers;
        Length = length;
    }

    /// <summary>The queue id the message will have.</summary>
    public string QueueId => _writer.QueueId;

    /// <summary>Octets of the client's content.</summary>
    public long Length { get; }

    /// <summary>
    /// The header section (RFC 5322 2.1) with the empty line that ends it, or the whole message when it has no body.
    /// Always whole: the first step refuses a longer one than the bound (<see cref="HeaderSectionTooLong"/>).
    /// </summary>
    public ReadOnlyMemory<byte> HeaderSection => _headers.Section;

    /// <summary>True when the header section was longer than the bound (and <see cref="HeaderSection"/> is empty).</summary>
    public bool HeaderSectionTooLong => _headers.Status == HeaderSectionStatus.TooLong;

    /// <summary>The bound on the header section.</summary>
    public int HeaderSectionLimit => _headers.Limit;

    /// <summary>True when the message has a body (the header section ended at an empty line).</summary>
    public bool HasBody => _headers.Status == HeaderSectionStatus.Complete;

    /// <summary>The whole content when the spool holds it in memory; valid while the pipeline runs.</summary>
    public bool TryGetContent(out ReadOnlyMemory<byte> content) => _writer.TryGetContent(out content);

    /// <summary>The whole content as a seekable stream (over the spool file, or over memory for a small message).</summary>
    public async ValueTask<Stream> OpenAsync(CancellationToken cancellationToken)
    {
        if (_writer.TryGetContent(out var content))
        {
            return new ReadOnlyMemoryStream(content);
        }

        return await _writer.OpenContentAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The body (what follows the header section) as a stream.</summary>
    public async ValueTask<Stream> OpenBodyAsync(CancellationToken cancellationToken)
    {
        var stream = await OpenAsync(cancellationToken).ConfigureAwait(false);
        stream.Seek(HeaderSection.Length, SeekOrigin.Begin);
        return stream;
    }
}
