namespace Gateway.Authentication.Spf;

/// <summary>The eight mechanisms of RFC 7208 5.</summary>
internal enum SpfMechanismKind
{
    All,
    Include,
    A,
    Mx,
    Ptr,
    Ip4,
    Ip6,
    Exists,
}
