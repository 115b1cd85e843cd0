using MimeKit;

namespace Gateway.Smime.Cms;

/// <summary>
/// Turns the entity to be signed into its final 7-bit, CRLF form before anything is signed. RFC 8551 3.1.1:
/// signed content must survive transport unchanged, and the gateway never re-encodes signed content (DESIGN
/// outbound flow), so every 8-bit or binary part becomes quoted-printable or base64 and every line ends in CRLF
/// now, once.
/// </summary>
internal static class SignedContentPreparer
{
    /// <summary>RFC 5322 2.1.1 recommends 78 characters; encoding at this length keeps every line far below 998.</summary>
    private const int MaxLineLength = 78;

    /// <summary>Writes the canonical bytes of <paramref name="entity"/> to <paramref name="output"/>.</summary>
    public static async Task WriteCanonicalAsync(MimeEntity entity, Stream output, CancellationToken cancellationToken)
    {
        entity.Prepare(EncodingConstraint.SevenBit, MaxLineLength);
        var format = FormatOptions.Default.Clone();
        format.NewLineFormat = NewLineFormat.Dos;
        format.EnsureNewLine = true;
        await entity.WriteToAsync(format, output, cancellationToken).ConfigureAwait(false);
    }
}
