using System.Reflection;
using System.Runtime.InteropServices;
using Net.Pkcs11Interop.HighLevelAPI;

namespace Gateway.Smime.Tests.Vault;

/// <summary>
/// Pkcs11Interop, a second PKCS#11 implementation the tests use to read the token independently of the gateway's
/// own binding. It reaches dlopen through <c>[DllImport("libdl")]</c>, a name that only resolves where the
/// libc6-dev symlink libdl.so exists; its maintainer's advice (Pkcs11Interop#239) is a DllImportResolver mapping
/// it to glibc's libdl.so.2. The resolver is process-wide for that assembly, so the static constructor installs it once.
/// </summary>
internal static class Pkcs11InteropLoader
{
    static Pkcs11InteropLoader()
    {
        try
        {
            NativeLibrary.SetDllImportResolver(typeof(Pkcs11InteropFactories).Assembly, Resolve);
        }
        catch (InvalidOperationException)
        {
            // Installed already by another test in this process.
        }
    }

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
