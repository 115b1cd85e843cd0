namespace Gateway.Smime.Vault.Sealers.Pkcs11;

/// <summary>A PKCS#11 function returned something other than CKR_OK.</summary>
internal sealed class Pkcs11Exception(string function, CkResult result)
    : Exception($"{function} returned {Name(result)}")
{
    public string Function { get; } = function;

    public CkResult Result { get; } = result;

    /// <summary>The CKR_ name, or the hexadecimal value for one this binding has no name for.</summary>
    public static string Name(CkResult result) =>
        Enum.IsDefined(result) ? result.ToString() : $"0x{(ulong)result:X}";
}
