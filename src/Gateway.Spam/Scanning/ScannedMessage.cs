using System.Text;

namespace Gateway.Spam.Scanning;

/// <summary>
/// What the scorer knows about one message after a bounded parse: decoded headers and text, links, attachment names
/// and a few structural facts. Rules and the classifier's token features are both computed from this, so the message
/// is parsed once.
/// </summary>
internal sealed class ScannedMessage
{
    public List<HeaderText> Headers { get; } = [];

    public string Subject { get; set; } = "";

    private string? _raw;

    /// <summary>The scanned prefix of the message as received.</summary>
    public ReadOnlyMemory<byte> RawBytes { get; set; }

    /// <summary>
    /// <see cref="RawBytes"/> one char per byte (Latin-1), for raw rules; made on first use, as only those need it as
    /// text and it is twice the message's size.
    /// </summary>
    public string Raw => _raw ??= Encoding.Latin1.GetString(RawBytes.Span);

    /// <summary>Text of the plain and HTML parts, in order, each ending with a line break.</summary>
    public string BodyText { get; set; } = "";

    public List<LinkTarget> Links { get; } = [];

    public List<string> AttachmentNames { get; } = [];

    /// <summary>How each text part was sent: "text/html base64 utf-8". Senders pick encodings by habit and tool.</summary>
    public List<string> TextPartShapes { get; } = [];

    /// <summary>Element and attribute names seen in HTML parts ("font", "font:color"), as the classifier's hints.</summary>
    public List<string> HtmlMarkup { get; } = [];

    /// <summary>What the HTML parts did to hide or disguise their text, summed over all of them.</summary>
    public HtmlTricks Html { get; } = new();

    /// <summary>A text part carries bytes beyond ASCII but declares no charset.</summary>
    public bool UndeclaredEightBit { get; set; }

    public bool HasPlainText { get; set; }

    public bool HasHtml { get; set; }

    public int PartCount { get; set; }

    public int RecipientCount { get; set; }

    /// <summary>The message was longer than the scan limit, or had more parts or depth than were looked at.</summary>
    public bool Truncated { get; set; }
}
