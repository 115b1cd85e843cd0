using System.Security.Cryptography;
using System.Text;

namespace Gateway.Authentication.Dkim;

/// <summary>
/// Computes the header hash of a DKIM-style signature (DKIM-Signature, ARC-Message-Signature, ARC-Seal:
/// RFC 6376 3.7, RFC 8617 5.1.1) with relaxed header canonicalization, signs it and writes the finished header
/// field. The signature header itself is hashed last, with an empty b= and without its CRLF.
/// </summary>
internal sealed class DkimHeaderHasher : IDisposable
{
    // RFC 5322 2.1.1: lines SHOULD stay within 78 characters.
    private const int FoldWidth = 72;

    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    public void AddField(ReadOnlySpan<char> name, ReadOnlySpan<byte> value) =>
        DkimCanonicalization.AppendRelaxedHeader(_hash, name, value, terminate: true);

    public void AddField(RawHeaderField field, ReadOnlySpan<byte> message) =>
        AddField(field.Name, message[field.ValueStart..field.End]);

    public void AddField(string name, string value) => AddField(name, Encoding.UTF8.GetBytes(value));

    /// <summary>
    /// Finishes the hash with the signature header (its value ending in "b="), signs, and returns the header
    /// field value with the folded signature appended (no name, no final CRLF).
    /// </summary>
    public string Sign(string headerName, string valueEndingWithB, DkimSigningKey key)
    {
        DkimCanonicalization.AppendRelaxedHeader(_hash, headerName, Encoding.ASCII.GetBytes(valueEndingWithB), terminate: false);
        var signature = Convert.ToBase64String(key.SignDigest(_hash.GetHashAndReset()));
        var builder = new StringBuilder(valueEndingWithB.Length + signature.Length + 16);
        builder.Append(valueEndingWithB);
        AppendFolded(builder, signature);
        return builder.ToString();
    }

    public void Dispose() => _hash.Dispose();

    /// <summary>Appends base64 data folded with FWS, which verifiers strip from b= and bh= (RFC 6376 3.5).</summary>
    internal static void AppendFolded(StringBuilder builder, string base64)
    {
        for (var i = 0; i < base64.Length; i += FoldWidth)
        {
            builder.Append("\r\n\t").Append(base64, i, Math.Min(FoldWidth, base64.Length - i));
        }
    }

    /// <summary>Appends a colon-separated h= list, folding after a colon when a line gets long.</summary>
    internal static void AppendHeaderList(StringBuilder builder, IReadOnlyList<string> names)
    {
        var lineLength = 3;
        builder.Append("h=");
        for (var i = 0; i < names.Count; i++)
        {
            if (lineLength + names[i].Length + 1 > FoldWidth)
            {
                builder.Append("\r\n\t ");
                lineLength = 2;
            }

            builder.Append(names[i]);
            lineLength += names[i].Length;
            if (i < names.Count - 1)
            {
                builder.Append(':');
                lineLength++;
            }
        }
    }
}
