using System.Text;
using Gateway.Abstractions;

namespace Gateway.Pipeline.Tests;

/// <summary>An inspectable writer over memory: records what it was asked to do at completion.</summary>
/// <param name="queueId">The queue id it reports.</param>
/// <param name="inMemory">Whether it offers the content in place (as the spool does for small messages) or only as a stream.</param>
internal sealed class MemoryMessageWriter(string queueId = "TESTQUEUE1", bool inMemory = true) : IInspectableMessageWriter
{
    private readonly MemoryStream _content = new();

    public string QueueId => queueId;

    public MessageAmendment? Amendment { get; private set; }

    public bool Disposed { get; private set; }

    /// <summary>The refusal the pipeline answered with, if any.</summary>
    public SmtpReply? Refused { get; private set; }

    /// <summary>The client's message size the pipeline gave with its refusal.</summary>
    public long? RefusedLength { get; private set; }

    public string? RefusedMessageId { get; private set; }

    /// <summary>What would be delivered: the amendment's prefix, then the content after the replaced bytes.</summary>
    public string Delivered
    {
        get
        {
            var content = _content.ToArray();
            var amendment = Amendment ?? MessageAmendment.None;
            return Encoding.UTF8.GetString(amendment.Prefix.Span) + Encoding.UTF8.GetString(content, (int)amendment.ReplacedLength, content.Length - (int)amendment.ReplacedLength);
        }
    }

    /// <summary>
    /// The fields the pipeline put on top: everything of the prefix down to the end of our own Received field, which
    /// is the first field added and so the lowest of them.
    /// </summary>
    public string Added
    {
        get
        {
            var prefix = Encoding.UTF8.GetString(Amendment!.Prefix.Span);
            var mark = prefix.IndexOf("(Gateway)", StringComparison.Ordinal);
            var ours = mark < 0 ? -1 : prefix.LastIndexOf("Received: ", mark, StringComparison.Ordinal);
            var end = ours;
            while (end >= 0 && end < prefix.Length)
            {
                end = prefix.IndexOf("\r\n", end, StringComparison.Ordinal) + 2;
                if (end >= prefix.Length || prefix[end] is not (' ' or '\t'))
                {
                    break;
                }
            }

            return ours < 0 ? prefix : prefix[..end];
        }
    }

    public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        _content.Write(data.Span);
        return ValueTask.CompletedTask;
    }

    public bool TryGetContent(out ReadOnlyMemory<byte> content)
    {
        content = inMemory ? _content.GetBuffer().AsMemory(0, (int)_content.Length) : default;
        return inMemory;
    }

    public ValueTask<Stream> OpenContentAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult<Stream>(new MemoryStream(_content.ToArray(), writable: false));

    public ValueTask<SmtpReply> CompleteAsync(CancellationToken cancellationToken) => CompleteAsync(MessageAmendment.None, cancellationToken);

    public ValueTask<SmtpReply> CompleteAsync(MessageAmendment amendment, CancellationToken cancellationToken)
    {
        Amendment = amendment;
        return ValueTask.FromResult(new SmtpReply(250, "2.0.0", "Ok: queued as " + queueId));
    }

    public ValueTask<SmtpReply> RefuseAsync(SmtpReply reply, long messageLength, string? messageId, CancellationToken cancellationToken)
    {
        RefusedMessageId = messageId;
        Refused = reply;
        RefusedLength = messageLength;
        Disposed = true;
        return ValueTask.FromResult(reply);
    }

    public ValueTask DisposeAsync()
    {
        Disposed = true;
        return ValueTask.CompletedTask;
    }
}
