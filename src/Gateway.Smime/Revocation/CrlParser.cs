using System.Text;
using Org.BouncyCastle.X509;

namespace Gateway.Smime.Revocation;

/// <summary>A CRL from DER or PEM bytes, or null; CAs publish both, whatever RFC 5280 4.2.1.13 says (DER).</summary>
internal static class CrlParser
{
    public static X509Crl? Parse(byte[] bytes)
    {
        try
        {
            var der = bytes.AsSpan().StartsWith("-----BEGIN"u8) ? FromPem(bytes) : bytes;
            return der is null ? null : new X509Crl(der);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException or FormatException
            or Org.BouncyCastle.Security.Certificates.CrlException)
        {
            return null;
        }
    }

    private static byte[]? FromPem(byte[] bytes)
    {
        var text = Encoding.ASCII.GetString(bytes);
        const string Begin = "-----BEGIN X509 CRL-----";
        const string End = "-----END X509 CRL-----";
        var start = text.IndexOf(Begin, StringComparison.Ordinal);
        var end = text.IndexOf(End, StringComparison.Ordinal);
        return start < 0 || end < start ? null : Convert.FromBase64String(text[(start + Begin.Length)..end]);
    }
}
