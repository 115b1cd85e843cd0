using System.Text;
using Gateway.Abstractions;
using Gateway.Authentication.Results;
using MimeKit;

namespace Gateway.Pipeline.Steps.Smime;

/// <summary>
/// How an S/MIME step swaps a message's body: the top-level MIME fields (MIME-Version, Content-*) leave the header
/// section and the new body entity, with its own Content-* fields, follows the remaining fields. Every other field
/// (From, Subject, our trace fields) stays byte-identical.
/// </summary>
internal static class SmimeContent
{
    public const string MarkerField = "X-Gateway-SMIME";

    private static readonly byte[] MimeVersion = "MIME-Version: 1.0\r\n"u8.ToArray();

    /// <summary>The MIME fields of the top level, which describe the body being replaced.</summary>
    public static List<ContentRange> MimeFields(ReadOnlySpan<byte> headerSection) =>
        Ranges(HeaderFieldFinder.Find(headerSection, name =>
            name.Equals("MIME-Version", StringComparison.OrdinalIgnoreCase)
            || name.StartsWith("Content-", StringComparison.OrdinalIgnoreCase)));

    /// <summary>Our own marker fields as the client sent them: never trusted, always dropped.</summary>
    public static List<ContentRange> MarkerFields(ReadOnlySpan<byte> headerSection) =>
        Ranges(HeaderFieldFinder.Find(headerSection, name => name.Equals(MarkerField, StringComparison.OrdinalIgnoreCase)));

    /// <summary>MIME-Version, then <paramref name="body"/> with its fields and content, CRLF throughout and never re-encoded.</summary>
    public static async Task<ReadOnlyMemory<byte>> TailAsync(MimeEntity body, CancellationToken cancellationToken)
    {
        using var output = new MemoryStream();
        output.Write(MimeVersion);
        var format = FormatOptions.Default.Clone();
        format.NewLineFormat = NewLineFormat.Dos;
        await body.WriteToAsync(format, output, cancellationToken).ConfigureAwait(false);
        return output.ToArray();
    }

    /// <summary>A marker field line: "X-Gateway-SMIME: value" with CRLF.</summary>
    public static string Marker(string value) => new StringBuilder(MarkerField).Append(": ").Append(value).Append("\r\n").ToString();

    /// <summary>True when the body already carries S/MIME (the sender's own client signed or encrypted it).</summary>
    public static bool IsSecured(MimeEntity? body) => body is not null
        && (body.ContentType.IsMimeType("multipart", "signed")
            || body.ContentType.IsMimeType("application", "pkcs7-mime")
            || body.ContentType.IsMimeType("application", "x-pkcs7-mime"));

    /// <summary>True for application/pkcs7-mime enveloped or authEnveloped data (or without smime-type, for the CMS to say).</summary>
    public static bool IsEnvelope(MimePart part)
    {
        if (!part.ContentType.IsMimeType("application", "pkcs7-mime") && !part.ContentType.IsMimeType("application", "x-pkcs7-mime"))
        {
            return false;
        }

        // Without smime-type the CMS itself says; signed-data is the verifier's, not ours.
        var type = part.ContentType.Parameters["smime-type"];
        return type is null || type.Equals("enveloped-data", StringComparison.OrdinalIgnoreCase) || type.Equals("authEnveloped-data", StringComparison.OrdinalIgnoreCase);
    }

    private static List<ContentRange> Ranges(IReadOnlyList<Range> ranges) =>
        ranges.Select(r => new ContentRange(r.Start.Value, r.End.Value - r.Start.Value)).ToList();
}
