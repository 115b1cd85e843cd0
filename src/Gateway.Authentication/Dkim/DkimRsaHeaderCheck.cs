using System.Security.Cryptography;

namespace Gateway.Authentication.Dkim;

/// <summary>
/// The header half of an rsa-sha256 signature with relaxed header canonicalization, checked with the platform's
/// RSA (OpenSSL) instead of BouncyCastle's managed one, which costs about ten times as much per message:
/// RFC 6376 3.7 (the signed fields, bottom-up per name, then the signature field with an empty b=), canonicalized
/// per RFC 6376 3.4.2 and verified with RSASSA-PKCS1-v1_5 / SHA-256 (RFC 8017 8.2.2).
/// </summary>
internal static class DkimRsaHeaderCheck
{
    public static bool Verify(ReadOnlySpan<byte> headerSection, RawMessage parsed, RawHeaderField signatureField, DkimSignatureHeader signature, DkimKeyRecord key)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        // RFC 6376 5.4.2: each listed name takes the last not yet used instance of that field; a name listed more
        // often than the field occurs (oversigning) contributes nothing.
        var fields = parsed.Fields;
        var signed = signature.SignedHeaders;
        for (var n = 0; n < signed.Count; n++)
        {
            var name = signed[n];
            var skip = 0;
            for (var earlier = 0; earlier < n; earlier++)
            {
                if (string.Equals(signed[earlier], name, StringComparison.OrdinalIgnoreCase))
                {
                    skip++;
                }
            }

            for (var i = fields.Count - 1; i >= 0; i--)
            {
                var field = fields[i];
                if (!string.Equals(field.Name, name, StringComparison.OrdinalIgnoreCase) || field.Start == signatureField.Start)
                {
                    continue;
                }

                if (skip-- == 0)
                {
                    DkimCanonicalization.AppendRelaxedHeader(hash, field.Name, headerSection[field.ValueStart..field.End], terminate: true);
                    break;
                }
            }
        }

        // RFC 6376 3.7: the signature field itself last, its b= value emptied, without the trailing CRLF.
        var own = headerSection[signatureField.ValueStart..signatureField.End];
        DkimCanonicalization.AppendRelaxedHeader(hash, signatureField.Name, WithoutSignatureValue(own), terminate: false);
        return key.VerifyRsaSha256(hash.GetHashAndReset(), signature.Signature);
    }

    /// <summary>The tag list with the value of its b= tag removed (RFC 6376 3.5: "including all surrounding whitespace").</summary>
    internal static byte[] WithoutSignatureValue(ReadOnlySpan<byte> value)
    {
        var output = new byte[value.Length];
        var length = 0;
        var start = 0;
        while (start <= value.Length)
        {
            var semicolon = value[start..].IndexOf((byte)';');
            var end = semicolon < 0 ? value.Length : start + semicolon;
            var tag = value[start..end];
            var equals = tag.IndexOf((byte)'=');
            var kept = equals >= 0 && IsB(tag[..equals]) ? tag[..(equals + 1)] : tag;
            kept.CopyTo(output.AsSpan(length));
            length += kept.Length;
            if (semicolon < 0)
            {
                break;
            }

            output[length++] = (byte)';';
            start = end + 1;
        }

        return length == output.Length ? output : output[..length];
    }

    private static bool IsB(ReadOnlySpan<byte> name)
    {
        var trimmed = name.Trim(" \t\r\n"u8);
        return trimmed.Length == 1 && (trimmed[0] == (byte)'b' || trimmed[0] == (byte)'B');
    }
}
