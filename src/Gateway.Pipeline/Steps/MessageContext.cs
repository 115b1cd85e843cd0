using Gateway.Abstractions;
using Gateway.Authentication.Spf;
using Gateway.Pipeline.Steps.Spam;
using Gateway.Spam.Scoring;
using MimeKit;

namespace Gateway.Pipeline.Steps;

/// <summary>
/// What the steps of one message (one direction's part of it) share: the envelope of that part, the session's
/// trust decision, the stored message, and the results steps hand on to later steps (SPF to DMARC, DKIM and ARC to
/// DMARC and the ARC seal). A MIME parse, when a step needs one, is made once here and shared.
/// </summary>
public sealed class MessageContext : IAsyncDisposable
{
    private static readonly ParserOptions Parser = new() { MaxMimeDepth = 64 };

    private Stream? _parsedFrom;
    private MimeMessage? _parsed;

    internal MessageContext(
        Envelope envelope, ClientTrust trust, MailDirection direction, StoredMessage message, Task<SpfCheck>? spf = null, Task<SessionScores>? sessionScores = null)
    {
        Envelope = envelope;
        Trust = trust;
        Direction = direction;
        Message = message;
        ClientLength = message.Length;
        SpfFromMailFrom = spf;
        SessionScores = sessionScores;
    }

    /// <summary>The envelope of this part: its recipients all go <see cref="Direction"/>.</summary>
    public Envelope Envelope { get; }

    public SessionFacts Session => Envelope.Session;

    public ClientTrust Trust { get; }

    public MailDirection Direction { get; }

    /// <summary>The content as it stands: the client's, or what the last replacing step made of it.</summary>
    public StoredMessage Message { get; private set; }

    /// <summary>Octets of the client's content, which the amendment replaces when a step replaced the content.</summary>
    internal long ClientLength { get; }

    /// <summary>The SPF check started at MAIL FROM (so its lookups overlapped the dialogue); null when none runs.</summary>
    internal Task<SpfCheck>? SpfFromMailFrom { get; }

    /// <summary>The list lookups and client checks started during the dialogue (score inputs); null when none run.</summary>
    internal Task<SessionScores>? SessionScores { get; }

    internal AuthenticationState Authentication { get; } = new();

    /// <summary>Points the checks before content scoring gave the message (attachment policy, rspamd), for the scorer.</summary>
    internal List<SpamReason> SpamInputs { get; } = [];

    /// <summary>
    /// The message parsed by MimeKit, once, for the checks that need MIME structure. Persistent: MimeKit keeps
    /// offsets into the stream instead of copying the body, so a large message stays on disk.
    /// </summary>
    internal async Task<MimeMessage> ParseAsync(CancellationToken cancellationToken)
    {
        if (_parsed is null)
        {
            _parsedFrom = await Message.OpenAsync(cancellationToken).ConfigureAwait(false);
            _parsed = await MimeMessage.LoadAsync(Parser, _parsedFrom, persistent: true, cancellationToken).ConfigureAwait(false);
        }

        return _parsed;
    }

    /// <summary>A step replaced the content: later steps read (and parse) the new one.</summary>
    internal async ValueTask ReplaceContentAsync(StoredMessage replaced)
    {
        await DisposeParseAsync().ConfigureAwait(false);
        Message = replaced;
    }

    public ValueTask DisposeAsync() => DisposeParseAsync();

    private async ValueTask DisposeParseAsync()
    {
        _parsed?.Dispose();
        if (_parsedFrom is not null)
        {
            await _parsedFrom.DisposeAsync().ConfigureAwait(false);
        }

        _parsed = null;
        _parsedFrom = null;
    }
}
