namespace Gateway.Transport.TlsRpt;

/// <summary>The "policy-type" values of RFC 8460 4.3.</summary>
public static class TlsRptPolicyTypes
{
    public const string Tlsa = "tlsa";
    public const string Sts = "sts";
    public const string NoPolicyFound = "no-policy-found";
}
