using System.Runtime.InteropServices;

namespace Gateway.Smime.Vault.Sealers.Pkcs11;

// The PKCS#11 v2.40 structures the sealer passes to a module, laid out as the C headers declare them for
// Unix (natural alignment; CK_ULONG is the platform's unsigned long, 64 bits on linux-x64).

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct CkAttribute
{
    public nuint Type;
    public void* Value;
    public nuint ValueLength;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct CkMechanism
{
    public nuint Mechanism;
    public void* Parameter;
    public nuint ParameterLength;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct CkGcmParams
{
    public byte* Iv;
    public nuint IvLength;
    public nuint IvBits;
    public byte* Aad;
    public nuint AadLength;
    public nuint TagBits;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct CkInitializeArgs
{
    public void* CreateMutex;
    public void* DestroyMutex;
    public void* LockMutex;
    public void* UnlockMutex;
    public nuint Flags;
    public void* Reserved;
}

/// <summary>CK_TOKEN_INFO: only the label is read; the buffer is the full structure so the module may fill it all.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct CkTokenInfo
{
    public fixed byte Label[32];
    public fixed byte ManufacturerId[32];
    public fixed byte Model[16];
    public fixed byte SerialNumber[16];
    public nuint Flags;
    public fixed ulong Counters[10];
    public ushort HardwareVersion;
    public ushort FirmwareVersion;
    public fixed byte UtcTime[16];
}
