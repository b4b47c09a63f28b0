/* Parley shim for ankerl::unordered_dense, which no Debian suite packages.
 * The map/set/hash names mediasoup uses are aliases of the std containers:
 * the behaviour is identical, the performance profile is that of
 * std::unordered_map (node-based, slower iteration than a dense map). */
#ifndef PARLEY_SHIM_ANKERL_UNORDERED_DENSE_H
#define PARLEY_SHIM_ANKERL_UNORDERED_DENSE_H
#include <functional>
#include <memory>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace ankerl {
namespace unordered_dense {

template <class T, class Enable = void>
struct hash : std::hash<T> {};

template <class Key, class T, class Hash = hash<Key>, class KeyEqual = std::equal_to<Key>,
          class Alloc = std::allocator<std::pair<const Key, T>>>
using map = std::unordered_map<Key, T, Hash, KeyEqual, Alloc>;

template <class Key, class T, class Hash = hash<Key>, class KeyEqual = std::equal_to<Key>,
          class Alloc = std::allocator<std::pair<const Key, T>>>
using segmented_map = map<Key, T, Hash, KeyEqual, Alloc>;

template <class Key, class Hash = hash<Key>, class KeyEqual = std::equal_to<Key>,
          class Alloc = std::allocator<Key>>
using set = std::unordered_set<Key, Hash, KeyEqual, Alloc>;

template <class Key, class Hash = hash<Key>, class KeyEqual = std::equal_to<Key>,
          class Alloc = std::allocator<Key>>
using segmented_set = set<Key, Hash, KeyEqual, Alloc>;

}  // namespace unordered_dense
}  // namespace ankerl
#endif
