using System.Reflection;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelZoo.Training;

/// <summary>
/// The memory layout of an optimiser's state tensors (Adam's moments, SGD's momentum buffers). Under channels-last
/// training they follow the weights into NHWC, but TorchSharp's <c>save_state_dict</c> and <c>load_state_dict</c>
/// handle only contiguous tensors: the checkpoint writer makes them contiguous around the save and puts them back
/// afterwards, and a resume loads into contiguous tensors and converts them to the weights' layout. TorchSharp
/// exposes each parameter's state as an object with public tensor fields, found by reflection (the same for every
/// optimiser).
/// </summary>
internal static class OptimizerStateLayout
{
    /// <summary>Makes every 4-D state tensor contiguous (NCHW) in place; returns how many changed.</summary>
    public static int ToContiguous(OptimizerHelper optimizer) =>
        Rewrite(optimizer, t => !t.is_contiguous(), t => t.contiguous());

    /// <summary>Makes every 4-D state tensor channels-last in place; returns how many changed.</summary>
    public static int ToChannelsLast(OptimizerHelper optimizer) =>
        Rewrite(optimizer, t => !ChannelsLast.IsChannelsLast(t), ChannelsLast.Convert);

    private static int Rewrite(OptimizerHelper optimizer, Func<Tensor, bool> needed, Func<Tensor, Tensor> convert)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        int changed = 0;
        using var noGrad = no_grad();
        foreach (var state in optimizer.state_dict().State)
        {
            foreach (var field in state.GetType().GetFields(BindingFlags.Instance | BindingFlags.Public))
            {
                if (field.FieldType != typeof(Tensor) || field.GetValue(state) is not Tensor t || t.IsInvalid) continue;
                if (t.dim() != 4 || !needed(t)) continue;
                using var converted = convert(t);
                t.set_(converted);
                changed++;
            }
        }
        return changed;
    }
}
