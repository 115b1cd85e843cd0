using Gateway.Abstractions;
using Gateway.Pipeline.Content;

namespace Gateway.Pipeline.Steps;

/// <summary>
/// The message as the steps see it, without a second whole copy in memory: the header section captured on its way
/// to the spool, the whole content in memory only when the spool still has it there (small messages), and otherwise
/// streams over the spool file. After a step replaced the content (S/MIME signing, encryption, decryption) it is
/// that new content, held in memory, so every later step reads what will be delivered.
/// </summary>
public sealed class StoredMessage
{
    private readonly IInspectableMessageWriter? _writer;
    private readonly ReadOnlyMemory<byte> _replaced;
    private readonly ReadOnlyMemory<byte> _headerSection;
    private readonly HeaderSectionStatus _status;

    internal StoredMessage(IInspectableMessageWriter writer, HeaderSectionCapture headers, long length)
    {
        _writer = writer;
        QueueId = writer.QueueId;
        _headerSection = headers.Section;
        _status = headers.Status;
        HeaderSectionLimit = headers.Limit;
        Length = length;
    }

    private StoredMessage(string queueId, ReadOnlyMemory<byte> content, int headerSectionLength, bool hasBody, int limit)
    {
        QueueId = queueId;
        _replaced = content;
        _headerSection = content[..headerSectionLength];
        _status = hasBody ? HeaderSectionStatus.Complete : HeaderSectionStatus.NoBody;
        HeaderSectionLimit = limit;
        Length = content.Length;
    }

    /// <summary>The queue id the message will have.</summary>
    public string QueueId { get; }

    /// <summary>Octets of the content.</summary>
    public long Length { get; }

    /// <summary>True once a step replaced the client's content; the amendment then carries the whole message.</summary>
    public bool IsReplaced => _writer is null;

    /// <summary>
    /// The header section (RFC 5322 2.1) with the empty line that ends it, or the whole message when it has no body.
    /// Always whole: the first step refuses a longer one than the bound (<see cref="HeaderSectionTooLong"/>).
    /// </summary>
    public ReadOnlyMemory<byte> HeaderSection => _headerSection;

    /// <summary>True when the header section was longer than the bound (and <see cref="HeaderSection"/> is empty).</summary>
    public bool HeaderSectionTooLong => _status == HeaderSectionStatus.TooLong;

    /// <summary>The bound on the header section.</summary>
    public int HeaderSectionLimit { get; }

    /// <summary>True when the message has a body (the header section ended at an empty line).</summary>
    public bool HasBody => _status == HeaderSectionStatus.Complete;

    /// <summary>The whole content when it is in memory; valid while the pipeline runs.</summary>
    public bool TryGetContent(out ReadOnlyMemory<byte> content)
    {
        if (_writer is null)
        {
            content = _replaced;
            return true;
        }

        return _writer.TryGetContent(out content);
    }

    /// <summary>The whole content as a seekable stream (over the spool file, or over memory).</summary>
    public async ValueTask<Stream> OpenAsync(CancellationToken cancellationToken)
    {
        if (TryGetContent(out var content))
        {
            return new ReadOnlyMemoryStream(content);
        }

        return await _writer!.OpenContentAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The body (what follows the header section) as a stream.</summary>
    public async ValueTask<Stream> OpenBodyAsync(CancellationToken cancellationToken)
    {
        var stream = await OpenAsync(cancellationToken).ConfigureAwait(false);
        stream.Seek(HeaderSection.Length, SeekOrigin.Begin);
        return stream;
    }

    /// <summary>
    /// The content a step's replacement makes: this header section without <paramref name="removals"/> and without
    /// the empty line that ends it, then <paramref name="tail"/> (the step's own header fields, the empty line and the
    /// new body).
    /// </summary>
    internal StoredMessage Replace(IReadOnlyList<ContentRange> removals, ReadOnlyMemory<byte> tail)
    {
        var kept = HeaderSectionEditor.Without(_headerSection.Span, removals, dropTerminator: HasBody);
        var content = new byte[kept.Length + tail.Length];
        kept.CopyTo(content, 0);
        tail.CopyTo(content.AsMemory(kept.Length));
        var headerLength = HeaderSectionEditor.SectionLength(content);
        return new StoredMessage(QueueId, content, headerLength < 0 ? content.Length : headerLength, headerLength >= 0, HeaderSectionLimit);
    }
}
