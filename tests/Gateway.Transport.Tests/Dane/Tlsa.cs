using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gateway.Abstractions;

namespace Gateway.Transport.Tests.Dane;

/// <summary>Builds the TLSA record a zone would publish for a certificate (RFC 6698 2.1).</summary>
internal static class Tlsa
{
    public static TlsaRecord For(byte usage, byte selector, byte matching, X509Certificate2 certificate)
    {
        var selected = selector == 0 ? certificate.RawData : certificate.PublicKey.ExportSubjectPublicKeyInfo();
        var data = matching switch
        {
            0 => selected,
            1 => SHA256.HashData(selected),
            2 => SHA512.HashData(selected),
            _ => selected,
        };
        return new TlsaRecord(usage, selector, matching, data);
    }
}
