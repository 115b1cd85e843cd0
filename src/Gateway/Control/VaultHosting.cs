using Gateway.Smime.Vault;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Host.Control;

/// <summary>The running gateway's one key vault and its optional auto-unseal at start.</summary>
internal static class VaultHosting
{
    /// <summary>
    /// Registers one <see cref="KeyVault"/> on <paramref name="directory"/> (which may not exist yet: an uninitialised
    /// vault is a sealed one, and S/MIME is simply unavailable), the <paramref name="options"/>, the auto-unseal and the policy's entries in the vault's audit chain.
    /// </summary>
    public static IServiceCollection AddKeyVault(this IServiceCollection services, string directory, TimeProvider time, VaultHostOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton(_ => new KeyVault(directory, time));
        services.AddHostedService<VaultUnsealService>();
        services.AddSingleton<PolicyAuditTrail>();
        services.AddHostedService(sp => sp.GetRequiredService<PolicyAuditTrail>());
        return services;
    }
}
