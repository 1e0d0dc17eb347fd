using System.Collections;
using System.Reflection;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelZoo.Inference;

/// <summary>
/// Swaps one child module for another everywhere a model refers to it: the parent's registration (keeping the order
/// of its children, so the state dict and the exporter's walk keep theirs) and every field of every module in the
/// model that holds it, directly or in an array or list (the zoo's blocks keep their children in fields, VGG its
/// feature layers in an array as well, TorchSharp's <c>Sequential</c> in a list). PyTorch does this with
/// <c>setattr</c>; TorchSharp's forward passes read fields, so the fields are what must change.
/// </summary>
internal static class ModuleSurgery
{
    private const BindingFlags InstanceFields = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;

    /// <summary>
    /// Replaces <paramref name="old"/>, the child <paramref name="name"/> of <paramref name="parent"/>, by
    /// <paramref name="replacement"/>. Returns false, and changes nothing, when some field that holds the old module
    /// cannot hold the replacement (a field of the old module's own type).
    /// </summary>
    public static bool Replace(nn.Module root, nn.Module parent, string name, nn.Module old, nn.Module replacement)
    {
        var holders = root.modules().SelectMany(m => References(m, old)).ToList();
        if (holders.Any(h => !h.CanHold(replacement))) return false;
        foreach (var holder in holders) holder.Set(replacement);

        var children = parent.named_children().ToList();
        int index = children.FindIndex(c => c.name == name);
        if (index < 0) throw new InvalidOperationException($"'{name}' is not a child of {parent.GetName()}");
        var tail = children.Skip(index).ToList();
        foreach (var (childName, _) in tail) parent.register_module(childName, null!);
        foreach (var (childName, child) in tail) parent.register_module(childName, childName == name ? replacement : child);
        return true;
    }

    /// <summary>The places in <paramref name="module"/>'s fields (own and inherited) that hold <paramref name="target"/>.</summary>
    private static IEnumerable<Slot> References(nn.Module module, nn.Module target)
    {
        for (var type = module.GetType(); type is not null && type != typeof(object); type = type.BaseType)
        {
            foreach (var field in type.GetFields(InstanceFields))
            {
                if (field.FieldType.IsValueType || field.FieldType == typeof(string)) continue;
                object? value = field.GetValue(module);
                if (ReferenceEquals(value, target)) yield return new FieldSlot(module, field);
                else if (value is Array array && array.Rank == 1)
                {
                    for (int i = 0; i < array.Length; i++)
                        if (ReferenceEquals(array.GetValue(i), target)) yield return new ArraySlot(array, i);
                }
                else if (value is IList list && ElementType(value.GetType()) is { } elementType)
                {
                    for (int i = 0; i < list.Count; i++)
                        if (ReferenceEquals(list[i], target)) yield return new ListSlot(list, elementType, i);
                }
            }
        }
    }

    private static Type? ElementType(Type listType) =>
        listType.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IList<>))?.GetGenericArguments()[0];

    private abstract record Slot
    {
        public abstract bool CanHold(object value);

        public abstract void Set(object value);
    }

    private sealed record FieldSlot(object Owner, FieldInfo Field) : Slot
    {
        public override bool CanHold(object value) => Field.FieldType.IsInstanceOfType(value);

        public override void Set(object value) => Field.SetValue(Owner, value);
    }

    private sealed record ArraySlot(Array Array, int Index) : Slot
    {
        public override bool CanHold(object value) => Array.GetType().GetElementType()!.IsInstanceOfType(value);

        public override void Set(object value) => Array.SetValue(value, Index);
    }

    private sealed record ListSlot(IList List, Type ElementType, int Index) : Slot
    {
        public override bool CanHold(object value) => ElementType.IsInstanceOfType(value);

        public override void Set(object value) => List[Index] = value;
    }
}
