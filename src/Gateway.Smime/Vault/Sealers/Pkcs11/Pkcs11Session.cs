namespace Gateway.Smime.Vault.Sealers.Pkcs11;

/// <summary>A read-write PKCS#11 session: login, object search, key generation and single-part encrypt/decrypt.</summary>
internal sealed unsafe class Pkcs11Session : IDisposable
{
    // Positions in CK_FUNCTION_LIST, as in pkcs11f.h.
    private const int OpenSessionFunction = 12;
    private const int CloseSessionFunction = 13;
    private const int LoginFunction = 18;
    private const int LogoutFunction = 19;
    private const int FindObjectsInitFunction = 26;
    private const int FindObjectsFunction = 27;
    private const int FindObjectsFinalFunction = 28;
    private const int EncryptInitFunction = 29;
    private const int EncryptFunction = 30;
    private const int DecryptInitFunction = 33;
    private const int DecryptFunction = 34;
    private const int GenerateKeyFunction = 58;

    private readonly void** _functions;
    private readonly nuint _handle;

    private Pkcs11Session(void** functions, nuint handle)
    {
        _functions = functions;
        _handle = handle;
    }

    internal static Pkcs11Session Open(void** functions, nuint slot)
    {
        foreach (var index in (ReadOnlySpan<int>)[OpenSessionFunction, CloseSessionFunction, LoginFunction, LogoutFunction,
                     FindObjectsInitFunction, FindObjectsFunction, FindObjectsFinalFunction, EncryptInitFunction,
                     EncryptFunction, DecryptInitFunction, DecryptFunction, GenerateKeyFunction])
        {
            Pkcs11Module.RequireFunction(functions, index);
        }

        nuint handle = 0;
        var open = (delegate* unmanaged[Cdecl]<nuint, nuint, void*, void*, nuint*, nuint>)functions[OpenSessionFunction];
        Pkcs11Module.Check("C_OpenSession", open(slot, Ck.CKF_SERIAL_SESSION | Ck.CKF_RW_SESSION, null, null, &handle));
        return new Pkcs11Session(functions, handle);
    }

    public void Login(ReadOnlySpan<byte> pin)
    {
        fixed (byte* p = pin)
        {
            var login = (delegate* unmanaged[Cdecl]<nuint, nuint, byte*, nuint, nuint>)_functions[LoginFunction];
            var result = login(_handle, Ck.CKU_USER, p, (nuint)pin.Length);
            // Another session of this process may have logged the token in already; the login state is per token.
            if ((CkResult)result != CkResult.CKR_USER_ALREADY_LOGGED_IN)
            {
                Pkcs11Module.Check("C_Login", result);
            }
        }
    }

    public void Logout() =>
        _ = ((delegate* unmanaged[Cdecl]<nuint, nuint>)_functions[LogoutFunction])(_handle);

    /// <summary>Handles of the objects matching <paramref name="template"/> (at most <paramref name="limit"/>).</summary>
    public IReadOnlyList<nuint> FindObjects(AttributeTemplate template, int limit = 16)
    {
        var init = (delegate* unmanaged[Cdecl]<nuint, CkAttribute*, nuint, nuint>)_functions[FindObjectsInitFunction];
        Pkcs11Module.Check("C_FindObjectsInit", init(_handle, template.Pointer, (nuint)template.Count));
        try
        {
            // A module may hand the matches out a few at a time: ask until it has no more (or the limit is reached).
            var found = new List<nuint>();
            var batch = new nuint[limit];
            var find = (delegate* unmanaged[Cdecl]<nuint, nuint*, nuint, nuint*, nuint>)_functions[FindObjectsFunction];
            while (found.Count < limit)
            {
                nuint count = 0;
                fixed (nuint* buffer = batch)
                {
                    Pkcs11Module.Check("C_FindObjects", find(_handle, buffer, (nuint)(limit - found.Count), &count));
                }

                if (count == 0)
                {
                    break;
                }

                found.AddRange(batch.AsSpan(0, (int)Math.Min(count, (nuint)(limit - found.Count))));
            }

            return found;
        }
        finally
        {
            _ = ((delegate* unmanaged[Cdecl]<nuint, nuint>)_functions[FindObjectsFinalFunction])(_handle);
        }
    }

    public nuint GenerateKey(nuint mechanism, AttributeTemplate template)
    {
        var ck = new CkMechanism { Mechanism = mechanism };
        nuint key = 0;
        var generate = (delegate* unmanaged[Cdecl]<nuint, CkMechanism*, CkAttribute*, nuint, nuint*, nuint>)_functions[GenerateKeyFunction];
        Pkcs11Module.Check("C_GenerateKey", generate(_handle, &ck, template.Pointer, (nuint)template.Count, &key));
        return key;
    }

    /// <summary>AES-GCM encryption on the token: the ciphertext with the tag appended.</summary>
    public byte[] EncryptGcm(nuint key, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> associatedData, int tagBits, ReadOnlySpan<byte> plain) =>
        Crypt(EncryptInitFunction, EncryptFunction, "C_Encrypt", key, iv, associatedData, tagBits, plain);

    /// <summary>AES-GCM decryption on the token; a tag mismatch comes back as the module's error.</summary>
    public byte[] DecryptGcm(nuint key, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> associatedData, int tagBits, ReadOnlySpan<byte> cipher) =>
        Crypt(DecryptInitFunction, DecryptFunction, "C_Decrypt", key, iv, associatedData, tagBits, cipher);

    public void Dispose() =>
        _ = ((delegate* unmanaged[Cdecl]<nuint, nuint>)_functions[CloseSessionFunction])(_handle);

    private byte[] Crypt(int initIndex, int cryptIndex, string name, nuint key, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> associatedData, int tagBits, ReadOnlySpan<byte> input)
    {
        fixed (byte* ivPointer = iv)
        fixed (byte* aadPointer = associatedData)
        fixed (byte* inputPointer = input)
        {
            var parameters = new CkGcmParams
            {
                Iv = ivPointer,
                IvLength = (nuint)iv.Length,
                IvBits = (nuint)iv.Length * 8,
                Aad = aadPointer,
                AadLength = (nuint)associatedData.Length,
                TagBits = (nuint)tagBits,
            };
            var mechanism = new CkMechanism { Mechanism = Ck.CKM_AES_GCM, Parameter = &parameters, ParameterLength = (nuint)sizeof(CkGcmParams) };
            var init = (delegate* unmanaged[Cdecl]<nuint, CkMechanism*, nuint, nuint>)_functions[initIndex];
            Pkcs11Module.Check(name + "Init", init(_handle, &mechanism, key));

            // Single-part call in the PKCS#11 way: ask for the length (which keeps the operation active), then call
            // with a buffer of that length.
            var crypt = (delegate* unmanaged[Cdecl]<nuint, byte*, nuint, byte*, nuint*, nuint>)_functions[cryptIndex];
            nuint length = 0;
            Pkcs11Module.Check(name, crypt(_handle, inputPointer, (nuint)input.Length, null, &length));
            var output = new byte[(int)length];
            try
            {
                fixed (byte* outputPointer = output)
                {
                    Pkcs11Module.Check(name, crypt(_handle, inputPointer, (nuint)input.Length, outputPointer, &length));
                }
            }
            catch
            {
                // A module may have written part of the plaintext before failing.
                System.Security.Cryptography.CryptographicOperations.ZeroMemory(output);
                throw;
            }

            if (length == (nuint)output.Length)
            {
                return output;
            }

            // The module's first answer was an upper bound; the buffer may hold key material, so it is wiped.
            var exact = output.AsSpan(0, (int)length).ToArray();
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(output);
            return exact;
        }
    }
}
