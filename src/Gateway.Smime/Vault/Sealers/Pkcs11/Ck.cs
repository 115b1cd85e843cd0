namespace Gateway.Smime.Vault.Sealers.Pkcs11;

/// <summary>The PKCS#11 constants the sealer uses (values from the v2.40 headers).</summary>
internal static class Ck
{
    public const nuint CKF_RW_SESSION = 0x2;
    public const nuint CKF_SERIAL_SESSION = 0x4;
    public const nuint CKF_OS_LOCKING_OK = 0x2;

    public const nuint CKU_USER = 1;

    public const nuint CKO_SECRET_KEY = 0x4;
    public const nuint CKK_AES = 0x1F;

    public const nuint CKA_CLASS = 0x0;
    public const nuint CKA_TOKEN = 0x1;
    public const nuint CKA_PRIVATE = 0x2;
    public const nuint CKA_LABEL = 0x3;
    public const nuint CKA_KEY_TYPE = 0x100;
    public const nuint CKA_SENSITIVE = 0x103;
    public const nuint CKA_ENCRYPT = 0x104;
    public const nuint CKA_DECRYPT = 0x105;
    public const nuint CKA_VALUE_LEN = 0x161;
    public const nuint CKA_EXTRACTABLE = 0x162;

    public const nuint CKM_AES_KEY_GEN = 0x1080;
    public const nuint CKM_AES_GCM = 0x1087;
}
