using TorchSharp;
using static TorchSharp.torch;

namespace ModelZoo.Blocks;

/// <summary>Child registration in a fixed order.</summary>
internal static class ModuleRegistration
{
    /// <summary>
    /// Registers the children in the given order, skipping nulls (optional parts such as a missing
    /// projection shortcut). TorchSharp's <c>RegisterComponents()</c> does not keep field declaration
    /// order, and the order decides the order of <c>parameters()</c> and the state dict, which must follow
    /// torchvision's.
    /// </summary>
    public static void RegisterInOrder(this nn.Module parent, params (string Name, nn.Module? Module)[] children)
    {
        foreach (var (name, module) in children)
            if (module is not null) parent.register_module(name, module);
    }
}
