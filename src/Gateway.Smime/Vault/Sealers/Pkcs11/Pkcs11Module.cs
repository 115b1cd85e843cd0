using System.Runtime.InteropServices;
using System.Text;

namespace Gateway.Smime.Vault.Sealers.Pkcs11;

/// <summary>
/// A PKCS#11 module loaded with dlopen and called through the function list C_GetFunctionList hands out.
/// The calls go through unmanaged function pointers with blittable arguments, so nothing is marshalled by
/// reflection: the binding works the same in the native-AOT build the appliance ships (a wrapper that builds
/// delegates at run time does not). C_Initialize asks for OS locking; when the module was already initialised in
/// this process (another user of the same module) it is left initialised on dispose.
/// </summary>
internal sealed unsafe class Pkcs11Module : IDisposable
{
    // Positions in CK_FUNCTION_LIST (after the 2-byte CK_VERSION, padded to a pointer), as in pkcs11f.h.
    private const int Initialize = 0;
    private const int Finalize = 1;
    private const int GetSlotList = 4;
    private const int GetTokenInfo = 6;
    private const int FunctionCount = 68;

    private readonly void** _functions;
    private readonly bool _initialized;

    private Pkcs11Module(void** functions, bool initialized)
    {
        _functions = functions;
        _initialized = initialized;
    }

    /// <summary>Loads and initialises the module at <paramref name="path"/>.</summary>
    /// <exception cref="VaultException">the file is not a loadable PKCS#11 module.</exception>
    /// <exception cref="Pkcs11Exception">C_GetFunctionList or C_Initialize failed.</exception>
    public static Pkcs11Module Load(string path)
    {
        // CK_ULONG is the C unsigned long: 64 bits with natural alignment on 64-bit Unix, 32 bits and packed structures
        // on Windows. The structures here are the former.
        if (OperatingSystem.IsWindows() || IntPtr.Size != 8)
        {
            throw new VaultException("the PKCS#11 sealer supports 64-bit Linux and other LP64 Unix systems only");
        }

        if (!NativeLibrary.TryLoad(path, out var library))
        {
            throw new VaultException($"cannot load the PKCS#11 module {path}");
        }

        try
        {
            if (!NativeLibrary.TryGetExport(library, "C_GetFunctionList", out var export))
            {
                throw new VaultException($"{path} is not a PKCS#11 module (no C_GetFunctionList)");
            }

            void* list = null;
            Check("C_GetFunctionList", ((delegate* unmanaged[Cdecl]<void**, nuint>)export)(&list));
            if (list is null)
            {
                throw new VaultException($"{path} returned no PKCS#11 function list");
            }

            var functions = (void**)((byte*)list + IntPtr.Size);
            for (var i = 0; i <= GetTokenInfo; i++)
            {
                if (functions[i] is null)
                {
                    throw new VaultException($"{path} lacks a PKCS#11 function the sealer needs");
                }
            }

            var args = new CkInitializeArgs { Flags = Ck.CKF_OS_LOCKING_OK };
            var result = (CkResult)((delegate* unmanaged[Cdecl]<CkInitializeArgs*, nuint>)functions[Initialize])(&args);
            if (result is not (CkResult.CKR_OK or CkResult.CKR_CRYPTOKI_ALREADY_INITIALIZED))
            {
                throw new Pkcs11Exception("C_Initialize", result);
            }

            return new Pkcs11Module(functions, result == CkResult.CKR_OK);
        }
        catch
        {
            NativeLibrary.Free(library);
            throw;
        }
    }

    /// <summary>The slots that hold a token.</summary>
    public IReadOnlyList<nuint> SlotsWithToken()
    {
        var getSlotList = (delegate* unmanaged[Cdecl]<byte, nuint*, nuint*, nuint>)_functions[GetSlotList];
        nuint count = 0;
        Check("C_GetSlotList", getSlotList(1, null, &count));
        var slots = new nuint[(int)count];
        fixed (nuint* buffer = slots)
        {
            Check("C_GetSlotList", getSlotList(1, buffer, &count));
        }

        return slots.AsSpan(0, (int)Math.Min(count, (nuint)slots.Length)).ToArray();
    }

    /// <summary>The token's label without the blank padding PKCS#11 puts after it.</summary>
    public string TokenLabel(nuint slot)
    {
        CkTokenInfo info;
        Check("C_GetTokenInfo", ((delegate* unmanaged[Cdecl]<nuint, CkTokenInfo*, nuint>)_functions[GetTokenInfo])(slot, &info));
        return Encoding.UTF8.GetString(info.Label, 32).TrimEnd(' ', '\0');
    }

    /// <summary>A read-write session on the token in <paramref name="slot"/>.</summary>
    public Pkcs11Session OpenSession(nuint slot) => Pkcs11Session.Open(_functions, slot);

    /// <summary>
    /// Finalises the module if this instance initialised it. The library stays mapped: some vendors' clients leave
    /// threads running after C_Finalize, and unmapping their code under them would take the gateway down. Loading
    /// it again later only raises the loader's reference count.
    /// </summary>
    public void Dispose()
    {
        if (_initialized)
        {
            // Best effort: the operation's outcome is already decided, and a module that fails to finalise leaves
            // nothing the gateway depends on.
            _ = ((delegate* unmanaged[Cdecl]<void*, nuint>)_functions[Finalize])(null);
        }
    }

    internal static void Check(string function, nuint result)
    {
        if (result != 0)
        {
            throw new Pkcs11Exception(function, (CkResult)result);
        }
    }

    internal static void RequireFunction(void** functions, int index)
    {
        if (index >= FunctionCount || functions[index] is null)
        {
            throw new VaultException("the PKCS#11 module lacks a function the sealer needs");
        }
    }
}
