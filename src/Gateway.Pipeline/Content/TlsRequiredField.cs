using System.Text;
namespace Gateway.Pipeline.Content;

/// <summary>
/// Finds the <c>TLS-Required: No</c> header field (RFC 8689 4): the sender asks that recipient-side policy
/// requiring TLS (MTA-STS, DANE) be ignored when the message is relayed, because delivery matters more than
/// confidentiality (a report about broken TLS, say). The field has the one value "No".
/// </summary>
internal static class TlsRequiredField
{
    private static ReadOnlySpan<byte> Name => "TLS-Required"u8;

    /// <summary>True when a TLS-Required field of the header section says "No" (case and folding white space ignored).</summary>
    /// <param name="section">The header section, with the empty line that ends it when there is one.</param>
    public static bool SaysNo(ReadOnlySpan<byte> section)
    {
        var position = 0;
        while (position < section.Length)
        {
            var rest = section[position..];
            var lf = rest.IndexOf((byte)'\n');
            var line = lf < 0 ? rest : rest[..lf];
            var trimmed = line.Length > 0 && line[^1] == (byte)'\r' ? line[..^1] : line;
            if (trimmed.IsEmpty)
            {
                return false;
            }

            if (StartsWithName(trimmed))
            {
                // The value runs on over continuation lines (RFC 5322 2.2.3); unfolded, only "No" may remain.
                var value = new List<byte>(trimmed[(trimmed.IndexOf((byte)':') + 1)..].ToArray());
                var next = lf < 0 ? section.Length : position + lf + 1;
                while (next < section.Length && section[next] is (byte)' ' or (byte)'\t')
                {
                    var continuation = section[next..];
                    var end = continuation.IndexOf((byte)'\n');
                    value.AddRange((end < 0 ? continuation : continuation[..end]).ToArray());
                    next = end < 0 ? section.Length : next + end + 1;
                }

                if (Encoding.ASCII.GetString([.. value]).Trim(' ', '\t', '\r').Equals("No", StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }

            if (lf < 0)
            {
                break;
            }

            position += lf + 1;
        }

        return false;
    }

    // RFC 5322 1.2.2: field names compare without regard to case; obsolete WSP before the colon is allowed (4.5.3).
    private static bool StartsWithName(ReadOnlySpan<byte> line)
    {
        if (line.Length <= Name.Length || !Ascii.EqualsIgnoreCase(line[..Name.Length], Name))
        {
            return false;
        }

        var rest = line[Name.Length..].TrimStart(" \t"u8);
        return rest.Length > 0 && rest[0] == (byte)':';
    }
}
