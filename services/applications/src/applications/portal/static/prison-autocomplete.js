// The prison question's type-ahead: GOV.UK's accessible-autocomplete over the page's <select>
// (without JavaScript the select works on its own).
(function () {
  var select = document.getElementById('establishment')
  if (!select || !window.accessibleAutocomplete) return
  window.accessibleAutocomplete.enhanceSelectElement({
    selectElement: select,
    defaultValue: '',
    showAllValues: true,
    dropdownArrow: function () { return '' }
  })
})()
