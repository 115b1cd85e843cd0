using System.Buffers;
using System.Text;

namespace Gateway.Smtp.Protocol;

/// <summary>
/// Decoding of SASL responses (RFC 4954 4: base64 on the wire). Never logs or keeps what it decodes: the
/// results are credentials.
/// </summary>
public static class SaslDecoder
{
    private static readonly SearchValues<char> Base64Alphabet =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=");

    /// <summary>
    /// RFC 4616 2: message = [authzid] UTF8NUL authcid UTF8NUL passwd. authcid and passwd must be non-empty;
    /// an empty authzid becomes null. False on bad base64, invalid UTF-8 or a wrong number of fields.
    /// </summary>
    public static bool TryDecodePlain(string base64, out string? authorizationId, out string userName, out string password)
    {
        authorizationId = null;
        userName = string.Empty;
        password = string.Empty;
        if (!TryDecodeBase64Utf8(base64, out var message))
        {
            return false;
        }

        var parts = message.Split('\0');
        if (parts.Length != 3 || parts[1].Length == 0 || parts[2].Length == 0)
        {
            return false;
        }

        authorizationId = parts[0].Length == 0 ? null : parts[0];
        userName = parts[1];
        password = parts[2];
        return true;
    }

    /// <summary>
    /// Strict base64 (RFC 4648 4: no whitespace, correct padding) of strict UTF-8. Used for LOGIN steps.
    /// The empty string decodes to the empty text.
    /// </summary>
    public static bool TryDecodeBase64Utf8(string base64, out string text)
    {
        text = string.Empty;
        ArgumentNullException.ThrowIfNull(base64);
        if (!IsBase64Text(base64) && base64.Length != 0)
        {
            return false;
        }

        var bytes = new byte[(base64.Length / 4) * 3];
        if (!Convert.TryFromBase64String(base64, bytes, out var written))
        {
            return false;
        }

        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes, 0, written);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
        finally
        {
            Array.Clear(bytes);
        }
    }

    /// <summary>
    /// True when the text has the shape of RFC 4648 base64: only the alphabet, a length that is a multiple of four,
    /// and "=" only as one or two trailing pad characters.
    /// </summary>
    public static bool IsBase64Text(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty || text.Length % 4 != 0 || text.ContainsAnyExcept(Base64Alphabet))
        {
            return false;
        }

        var firstPad = text.IndexOf('=');
        return firstPad < 0 || (firstPad >= text.Length - 2 && text[firstPad..].TrimStart('=').IsEmpty);
    }
}
