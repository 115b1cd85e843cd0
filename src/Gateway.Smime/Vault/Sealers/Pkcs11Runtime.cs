using System.Reflection;
using System.Runtime.InteropServices;
using Net.Pkcs11Interop.HighLevelAPI;

namespace Gateway.Smime.Vault.Sealers;

/// <summary>
/// Pkcs11Interop reaches dlopen through <c>[DllImport("libdl")]</c>, a name that only resolves where the
/// libc6-dev symlink libdl.so exists (not on a Debian 12 appliance). Its maintainer's advice
/// (Pkcs11Interop#239) is a DllImportResolver mapping it to glibc's libdl.so.2. The resolver is a
/// process-wide setting of that assembly, so it is installed once, by this type's static constructor.
/// </summary>
internal static class Pkcs11Runtime
{
    static Pkcs11Runtime()
    {
        try
        {
            NativeLibrary.SetDllImportResolver(typeof(Pkcs11InteropFactories).Assembly, Resolve);
        }
        catch (InvalidOperationException)
        {
            // The host installed its own resolver for Pkcs11Interop first; it decides.
        }
    }

    /// <summary>Factories for a PKCS#11 call, with the loader fixed up first.</summary>
    public static Pkcs11InteropFactories Factories() => new();

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (libraryName == "libdl" && OperatingSystem.IsLinux())
        {
            foreach (var candidate in new[] { "libdl.so.2", "libc.so.6" })
            {
                if (NativeLibrary.TryLoad(candidate, out var handle))
                {
                    return handle;
                }
            }
        }

        return IntPtr.Zero;
    }
}
